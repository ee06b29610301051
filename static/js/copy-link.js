/* The "Copy the link" button of meetings/request_done.html.
   A file, not an inline script: the Content-Security-Policy runs scripts from 'self' only.
   Progressive enhancement: without JavaScript the link stays selectable text. */
(function () {
  var area = document.getElementById("copy-status-area");
  var link = document.getElementById("status-link");
  if (!area || !link || !navigator.clipboard) { return; }
  var button = document.createElement("button");
  button.type = "button";
  button.className = "krds-btn secondary large";
  button.textContent = area.dataset.copyLabel;
  var result = document.createElement("span");
  result.setAttribute("role", "status");
  area.append(button, " ", result);
  button.addEventListener("click", function () {
    navigator.clipboard.writeText(link.textContent.trim()).then(function () {
      result.textContent = area.dataset.copied;
    }, function () {
      window.getSelection().selectAllChildren(link);
    });
  });
})();
