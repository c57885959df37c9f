(function () {
  var root = document.getElementById("__ROOT_ID__");
  if (!root || root.dataset.ready) return;
  root.dataset.ready = "1";
  var data = JSON.parse(root.querySelector("script.lx-data").textContent);
  var lr = root.querySelector(".lx-lr"), mom = root.querySelector(".lx-momentum");
  var boxes = root.querySelectorAll(".lx-opt");
  function update() {
    var i = +lr.value, j = mom ? +mom.value : 0;
    root.querySelector(".lx-lr-out").textContent = data.lrs[i];
    if (mom) root.querySelector(".lx-momentum-out").textContent = data.momenta[j];
    data.opts.forEach(function (o, k) {
      var run = o.m ? data.runs[k][i][j] : data.runs[k][i];
      var on = boxes.length ? boxes[k].checked : true;
      root.querySelector(".lx-d-" + k).setAttribute("d", run[0]);
      root.querySelector(".lx-text-" + k).textContent = run[1];
      root.querySelector(".lx-path-" + k).style.display = on ? "" : "none";
      root.querySelector(".lx-status-" + k).style.display = on ? "" : "none";
    });
    root.dataset.shown = i + "," + j;
  }
  lr.addEventListener("input", update);
  if (mom) mom.addEventListener("input", update);
  Array.prototype.forEach.call(boxes, function (b) { b.addEventListener("change", update); });
  update();
})();
