// Adds the reader's own time to a chat's time, when the reader is not on UK time.
// The page says everything without this script; it only adds a line.
(function () {
  "use strict";
  if (!window.Intl || !Intl.DateTimeFormat) return;
  var readerZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  var nodes = document.querySelectorAll("time[data-start][data-end]");
  Array.prototype.forEach.call(nodes, function (node) {
    var start = new Date(node.getAttribute("data-start"));
    var end = new Date(node.getAttribute("data-end"));
    if (isNaN(start) || isNaN(end)) return;
    var sameOffset = start.getTimezoneOffset() === -parseInt(offsetMinutes(node.getAttribute("data-start")), 10);
    if (sameOffset) return;
    var day = new Intl.DateTimeFormat(undefined, { weekday: "long", day: "numeric", month: "long" });
    var hour = new Intl.DateTimeFormat(undefined, { hour: "numeric", minute: "2-digit" });
    var text = "In your time zone (" + readerZone + "): " + day.format(start) + ", " +
      hour.format(start) + "–" + hour.format(end);
    var target = node.parentNode.querySelector("[data-your-time]");
    if (target) {
      target.textContent = text;
      target.hidden = false;
    } else {
      node.setAttribute("title", text);
    }
  });
  function offsetMinutes(iso) {
    var match = /([+-])(\d\d):(\d\d)$/.exec(iso);
    if (!match) return 0;
    var minutes = parseInt(match[2], 10) * 60 + parseInt(match[3], 10);
    return match[1] === "-" ? -minutes : minutes;
  }
})();
