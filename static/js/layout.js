// Shared page behaviour: the language switch keeps the current URL state (query and hash).
const link = document.getElementById("lang-switch");
if (link) {
  link.addEventListener("click", (event) => {
    event.preventDefault();
    const url = new URL(window.location.href);
    url.searchParams.set("lang", link.dataset.lang);
    window.location.assign(url.toString());
  });
}
