"""The notebook's GradientTape cells: the chain rule and second-order gradients."""

from fastapi import APIRouter

from app.engine.autodiff import FUNCTIONS, chain_rule, second_order, second_order_curve
from app.schemas.autodiff import (
    ChainRuleRequest,
    ChainRuleResponse,
    FunctionInfo,
    SecondOrderCurveRequest,
    SecondOrderCurveResponse,
    SecondOrderRequest,
    SecondOrderResponse,
    function_list,
    tape_response,
)
from app.services.lessons import check_abs, check_curve

router = APIRouter(prefix="/api/v1/autodiff", tags=["autodiff"])


def _check_fields(req, names) -> None:
    for name in names:
        check_abs(getattr(req, name), ("body", name))


@router.post("/chain-rule", response_model=ChainRuleResponse)
def post_chain_rule(req: ChainRuleRequest) -> dict:
    """y1 = x·w1 + b1, y2 = y1·w2 + b2 on a persistent tape; dy2/dy1 × dy1/dw1 = dy2/dw1."""
    _check_fields(req, ("x", "w1", "b1", "w2", "b2"))
    values = chain_rule(req.x, req.w1, req.b1, req.w2, req.b2, req.dtype)
    return tape_response(values, tuple(values), dtype=req.dtype)


@router.get("/functions", response_model=list[FunctionInfo])
def get_functions() -> list[dict]:
    """The functions y(w) = f(x·w + b) offered for second-order gradients, with LaTeX."""
    return function_list()


@router.post("/second-order", response_model=SecondOrderResponse)
def post_second_order(req: SecondOrderRequest) -> dict:
    """Nested tapes: dy/dw and dy/db from the inner one, d²y/dw² from the outer one."""
    _check_fields(req, ("x", "w", "b"))
    values = second_order(req.x, req.w, req.b, FUNCTIONS[req.function], req.dtype)
    return tape_response(
        values,
        ("y", "dy_dw", "dy_db", "d2y_dw2"),
        function=req.function,
        unconnected=values["unconnected"],
        dtype=req.dtype,
    )


@router.post("/second-order/curve", response_model=SecondOrderCurveResponse)
def post_second_order_curve(req: SecondOrderCurveRequest) -> dict:
    """y, dy/dw and d²y/dw² over w = tf.linspace(w_start, w_stop, num), from nested tapes."""
    _check_fields(req, ("x", "b"))
    check_curve(req.w_start, req.w_stop, req.num, "body", ("w_start", "w_stop", "num"))
    function = FUNCTIONS[req.function]
    values = second_order_curve(req.x, req.b, function, req.w_start, req.w_stop, req.num, req.dtype)
    return tape_response(
        values,
        ("w", "y", "dy_dw", "d2y_dw2"),
        function=req.function,
        unconnected=values["unconnected"],
        dtype=req.dtype,
    )
