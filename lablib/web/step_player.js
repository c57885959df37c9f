(function () {
  var root = document.getElementById("__ROOT_ID__");
  if (!root || root.dataset.ready) return;
  root.dataset.ready = "1";
  var data = JSON.parse(root.querySelector("script.lablib-steps-data").textContent);
  var frames = data.frames, captions = data.captions;
  var img = root.querySelector("img"), slider = root.querySelector("input[type=range]");
  var count = root.querySelector(".lablib-steps-count"), timer = null, i = 0;
  var play = root.querySelector('[data-go="play"]');
  function show(k) {
    i = Math.max(0, Math.min(frames.length - 1, k));
    img.src = frames[i]; img.alt = captions[i]; slider.value = i;
    count.textContent = (i + 1) + "/" + frames.length;
  }
  function stop() { if (timer) { clearInterval(timer); timer = null; } play.textContent = data.labels.play; }
  slider.addEventListener("input", function () { stop(); show(parseInt(slider.value, 10)); });
  root.querySelectorAll("button[data-go]").forEach(function (b) {
    b.addEventListener("click", function () {
      var go = b.getAttribute("data-go");
      if (go === "play") {
        if (timer) { stop(); return; }
        if (i === frames.length - 1) show(0);
        play.textContent = data.labels.pause;
        timer = setInterval(function () {
          if (i >= frames.length - 1) { stop(); } else { show(i + 1); }
        }, data.interval);
        return;
      }
      stop();
      show(go === "first" ? 0 : go === "prev" ? i - 1 : go === "next" ? i + 1 : frames.length - 1);
    });
  });
  // The keys a focused player handles step it, and go no further: in JupyterLab an arrow key would
  // otherwise also run a notebook command (ArrowRight: "next heading") and scroll the page away.
  var keys = {ArrowLeft: "prev", ArrowRight: "next", Home: "first", End: "last", " ": "play"};
  root.addEventListener("keydown", function (event) {
    var go = keys[event.key];
    if (!go || event.altKey || event.ctrlKey || event.metaKey) return;
    event.preventDefault();
    event.stopPropagation();
    if (go === "play") { root.querySelector('[data-go="play"]').click(); return; }
    stop();
    show(go === "first" ? 0 : go === "prev" ? i - 1 : go === "next" ? i + 1 : frames.length - 1);
  });
  show(0);
})();
