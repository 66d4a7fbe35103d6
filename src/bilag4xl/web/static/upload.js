// Upload progress for the plain form on /indsend: the form works without this script; with it,
// the files are sent by XMLHttpRequest so the page can show how far the upload has come, and
// then the results the server returns (the same page as a plain post).
(function () {
  "use strict";
  var form = document.getElementById("upload-form");
  if (!form || !window.XMLHttpRequest || !window.FormData || !window.DOMParser) return;
  var box = document.getElementById("progress");
  var bar = box.querySelector("progress");
  var text = document.getElementById("progress-text");
  var limit = Number(form.getAttribute("data-limit")) || 0;

  function mb(bytes) {
    return (bytes / 1048576).toFixed(1).replace(".", ",") + " MB";
  }

  function chosen() {
    var files = [];
    form.querySelectorAll("input[type=file]").forEach(function (input) {
      Array.prototype.forEach.call(input.files, function (f) { files.push(f); });
    });
    return files;
  }

  function show(html) {
    var page = new DOMParser().parseFromString(html, "text/html");
    var main = page.getElementById("main");
    if (!main) {
      text.textContent = "Serveren svarede ikke som ventet. Hent siden igen.";
      return;
    }
    document.getElementById("main").replaceWith(main);
    document.title = page.title;
    var again = document.getElementById("upload-form");
    if (again) attach(again);
    var results = document.getElementById("results");
    if (results) results.scrollIntoView();
  }

  function send(event) {
    var files = chosen();
    var size = files.reduce(function (sum, f) { return sum + f.size; }, 0);
    if (!files.length) return; // the server says what is missing
    event.preventDefault();
    box.hidden = false;
    if (limit && size > limit) {
      bar.value = 0;
      text.textContent = "Filerne fylder " + mb(size) + ", højst " + mb(limit) +
        " pr. indsendelse. Send dem i flere omgange.";
      return;
    }
    var request = new XMLHttpRequest();
    request.open("POST", form.action);
    request.upload.onprogress = function (e) {
      if (!e.lengthComputable) return;
      bar.value = Math.round((e.loaded / e.total) * 100);
      text.textContent = "Sender " + files.length + " filer: " + mb(e.loaded) + " af " + mb(e.total);
    };
    request.upload.onload = function () {
      bar.removeAttribute("value");
      text.textContent = "Filerne er sendt. Kontrollerer " + files.length + " filer …";
    };
    request.onload = function () { show(request.responseText); };
    request.onerror = function () {
      text.textContent = "Forbindelsen til serveren blev afbrudt. Prøv igen.";
    };
    form.querySelector("button[type=submit]").disabled = true;
    request.send(new FormData(form));
  }

  function attach(target) {
    form = target;
    box = document.getElementById("progress");
    bar = box.querySelector("progress");
    text = document.getElementById("progress-text");
    target.addEventListener("submit", send);
  }

  attach(form);
})();
