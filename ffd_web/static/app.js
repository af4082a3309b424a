// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // Move focus to the error summary, as the GOV.UK pattern does.
  var summary = document.querySelector("[data-focus]");
  if (summary) { summary.focus(); }

  // A second click on a send button does nothing (the server refuses a double send too).
  Array.prototype.forEach.call(document.querySelectorAll("[data-prevent-double-click]"), function (button) {
    button.form.addEventListener("submit", function (event) {
      if (button.dataset.sent) { event.preventDefault(); }
      button.dataset.sent = "1";
    });
  });

  // "Print this page" as a real button where JavaScript can print.
  Array.prototype.forEach.call(document.querySelectorAll("[data-print]"), function (holder) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "link-button";
    button.textContent = "Print this page";
    button.addEventListener("click", function () { window.print(); });
    holder.replaceChildren(button);
  });

  // Warn two minutes before the idle timeout, with a way to stay signed in.
  var warning = document.getElementById("timeout-warning");
  if (warning) {
    var idle = parseInt(warning.getAttribute("data-idle-seconds"), 10) || 1200;
    window.setTimeout(function () {
      warning.hidden = false;
      var button = warning.querySelector("button");
      if (button) { button.focus(); }
    }, Math.max(idle - 120, 10) * 1000);
    window.setTimeout(function () { window.location.href = "/sign-in?next_path=" + encodeURIComponent(window.location.pathname); }, idle * 1000 + 2000);
  }
})();
