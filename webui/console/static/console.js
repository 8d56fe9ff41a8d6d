// The console's one script: play a call from wherever its transcript is clicked, and follow the playback.
(() => {
  const player = () => document.getElementById("vx-player");

  function playFrom(seconds, play = true) {
    const audio = player();
    if (!audio || Number.isNaN(seconds)) return;
    const go = () => {
      audio.currentTime = seconds;
      if (play) audio.play().catch(() => {});  // a browser may refuse to play before any interaction
    };
    if (audio.readyState >= 1) go();
    else audio.addEventListener("loadedmetadata", go, { once: true });
  }

  // Anything with data-start (a segment, a block of the overview, an alert's trigger) plays from there.
  document.addEventListener("click", (event) => {
    const target = event.target.closest("[data-start]");
    if (target && !event.target.closest("a")) playFrom(parseFloat(target.dataset.start));
  });
  document.addEventListener("keydown", (event) => {
    const target = event.target.closest ? event.target.closest("[data-start]") : null;
    if (target && (event.key === "Enter" || event.key === " ")) {
      event.preventDefault();
      playFrom(parseFloat(target.dataset.start));
    }
  });

  // The segment being heard is outlined (media events do not bubble: listen while they descend).
  document.addEventListener("timeupdate", (event) => {
    if (event.target.id !== "vx-player") return;
    const t = event.target.currentTime;
    for (const seg of document.querySelectorAll(".vx-seg")) {
      seg.classList.toggle("vx-playing", t >= +seg.dataset.start && t < +seg.dataset.end);
    }
  }, true);

  // A call opened from a search hit or an alert: cue the player there and bring the segment into view.
  function cue() {
    const lanes = document.querySelector(".vx-lanes[data-seek]:not([data-cued])");
    if (!lanes) return;
    lanes.dataset.cued = "1";
    const at = parseFloat(lanes.dataset.seek);
    const segment = [...lanes.querySelectorAll(".vx-seg")].find((s) => +s.dataset.start <= at + 0.01 && at < +s.dataset.end);
    if (segment) {
      segment.classList.add("vx-hit");
      segment.scrollIntoView({ block: "center" });
    }
    playFrom(at, false);
  }
  const watch = () => new MutationObserver(cue).observe(document.body, { childList: true, subtree: true });
  if (document.body) watch(); else document.addEventListener("DOMContentLoaded", watch);
})();
