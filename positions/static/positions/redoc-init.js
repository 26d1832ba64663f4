// Starts Redoc on templates/drf_spectacular/redoc.html. Redoc adds its styles as <style>
// elements; the nonce this script was loaded with lets them pass the Content-Security-Policy.
(() => {
  const container = document.getElementById("redoc-container");
  const nonce = document.currentScript.nonce;
  Redoc.init(container.dataset.specUrl, { nonce }, container);
})();
