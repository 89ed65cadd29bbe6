/* stac-sitegen: small progressive enhancements. Pages work without this file. */
(function () {
  "use strict";
  // Interface text in the site's language: _static/messages.LANG.js fills
  // window.SITEGEN_MESSAGES (English pages have none); %(name)s takes values[name].
  function _(text, values) {
    var said = (window.SITEGEN_MESSAGES || {})[text] || text;
    return values ? said.replace(/%\((\w+)\)s/g, function (all, k) { return String(values[k]); }) : said;
  }

  function fallbackCopy(text) {
    // execCommand works where the async clipboard API is refused (some file:// setups).
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.top = "-1000px";
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(area);
    return ok ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  }

  function copy(text) {
    if (navigator.clipboard && navigator.clipboard.writeText) {
      return navigator.clipboard.writeText(text).catch(function () { return fallbackCopy(text); });
    }
    return fallbackCopy(text);
  }

  function say(button, message) {
    var original = button.getAttribute("data-label") || button.textContent;
    button.setAttribute("data-label", original);
    button.textContent = message;
    window.setTimeout(function () { button.textContent = original; }, 1600);
  }

  function selectNext(button) {
    var code = button.parentNode.querySelector("code.url");
    if (!code) { return; }
    var range = document.createRange();
    range.selectNodeContents(code);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  var buttons = document.querySelectorAll("button[data-copy]");
  for (var i = 0; i < buttons.length; i++) {
    (function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        var value = button.getAttribute("data-copy");
        if (button.hasAttribute("data-resolve")) {
          value = new URL(value, document.baseURI).href;
        }
        copy(value).then(function () { say(button, _("Copied")); },
          function () { selectNext(button); say(button, _("Press Ctrl+C")); });
      });
    })(buttons[i]);
  }
})();
