// The memorial frame's page: draws the view the frame server sends (Server-Sent Events) and
// runs the slideshow. All decisions are made by the server (frame/view.py); this only draws.
"use strict";

const token = document.querySelector('meta[name="frame-token"]').content;
const $ = (id) => document.getElementById(id);
let view = null;
let slide = { index: -1, timer: null, front: "a", failed: new Set(), key: "" };

function setText(id, text) {
  const el = $(id);
  el.textContent = text || "";
  el.hidden = !text;
}

function render(next) {
  view = next;
  window.frameView = next; // for tests and the benchmark
  document.documentElement.lang = next.language || "en";
  document.body.dataset.state = next.state;
  document.body.dataset.night = next.night;
  document.body.dataset.crisis = next.crisis ? "yes" : "no";
  $("name").textContent = next.display_name;
  $("ai-label").textContent = next.ai_label;
  $("state-text").textContent = next.state_text;
  const touch = $("touch");
  touch.textContent = next.touch_text;
  touch.disabled = !next.touch_enabled;
  const sub = $("subtitle");
  sub.className = next.subtitle ? next.subtitle.role : "";
  setText("subtitle", next.subtitle ? next.subtitle.text : "");
  setText("heard", next.heard ? next.heard_label + ": " + next.heard : "");
  const crisis = next.crisis;
  $("crisis").hidden = !crisis;
  if (crisis) {
    $("crisis-title").textContent = crisis.title;
    $("crisis-line").textContent = crisis.help_line;
    $("crisis-contact").textContent = crisis.contact ? crisis.contact_label + " " + crisis.contact : "";
  }
  const key = next.photos.map((p) => p.id).join(",");
  if (key !== slide.key) {
    slide.key = key;
    slide.failed.clear();
    restartSlides();
  }
  showNote();
}

function usable() {
  return view ? view.photos.filter((p) => !slide.failed.has(p.id)) : [];
}

function showNote() {
  let note = view.photo_note;
  if (!note && view.photos.length && !usable().length) {
    note = view.photos_unshowable; // every photo failed to decode in the browser
  }
  setText("photo-note", note);
  if (note) {
    $("caption").hidden = true;
  }
}

function restartSlides() {
  clearTimeout(slide.timer);
  slide.index = -1;
  nextSlide();
}

function nextSlide() {
  clearTimeout(slide.timer);
  const photos = usable();
  if (!photos.length) {
    for (const id of ["photo-a", "photo-b"]) $(id).classList.remove("shown");
    setText("caption", "");
    showNote();
    return;
  }
  slide.index = (slide.index + 1) % photos.length;
  const photo = photos[slide.index];
  const back = slide.front === "a" ? "b" : "a";
  const img = $("photo-" + back);
  img.onload = () => {
    img.classList.add("shown");
    $("photo-" + slide.front).classList.remove("shown");
    slide.front = back;
    setText("caption", photo.caption);
    img.dataset.photoId = String(photo.id);
    slide.timer = setTimeout(nextSlide, view.slide_s * 1000);
  };
  img.onerror = () => {
    slide.failed.add(photo.id); // an unreadable photo is skipped, never a blank frame
    slide.index -= 1;
    nextSlide();
  };
  img.src = "/photo/" + photo.id + "?n=" + Date.now();
}

$("touch").addEventListener("click", async () => {
  try {
    await fetch("/press", { method: "POST", headers: { "X-Frame-Token": token } });
  } catch (e) {
    // the frame server is restarting; the state line already says the voice is away
  }
});

const events = new EventSource("/events");
events.onmessage = (message) => render(JSON.parse(message.data));
