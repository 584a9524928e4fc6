// Working without a signal (issue 14). On every page: registers the service worker
// (static/js/sw.js) and tells it who is logged in; shows the offline banner. On the visit
// form: offline, the visit is saved on the phone (IndexedDB) with its submission token,
// photos shrunk to the server's limits. On my cases and the case page: the waiting
// visits, to edit or delete. Whenever online: the service worker sends them, oldest
// first, through the same form and validation as online visits (static/js/outbox.js);
// the token makes a resend one visit. Logging out while visits wait asks first.
import {
  deleteVisit, putVisit, sendWaiting as sendFromHere, shrink, waitingVisits as outboxOf, withStore,
} from "./outbox.js";

const app = document.getElementById("offline-app");
const banner = document.getElementById("offline-banner");
const user = app ? app.dataset.user : "";
const words = app ? app.dataset : {};

function showBanner() {
  if (banner) banner.hidden = navigator.onLine;
}
showBanner();
window.addEventListener("online", showBanner);
window.addEventListener("offline", showBanner);

// --- The outbox (static/js/outbox.js): only this user's visits -------------------------
function waitingVisits() {
  return outboxOf(user);
}

async function getVisit(token) {
  const visit = await withStore("readonly", function (store) { return store.get(token); });
  return visit && visit.user === user ? visit : null;
}

// --- Service worker ------------------------------------------------------------------
async function startWorker() {
  if (!("serviceWorker" in navigator) || !app) return;
  // A module worker: it imports the outbox, to send the visits itself.
  const registration = await navigator.serviceWorker.register(
    app.dataset.sw, { scope: "/", type: "module" }
  );
  const ready = await navigator.serviceWorker.ready;
  const shell = Array.from(document.querySelectorAll(
    "link[rel=stylesheet], link[rel=preload], link[rel=icon], link[rel=apple-touch-icon], script[src]"
  )).map(function (element) { return element.href || element.src; })
    .filter(function (url) { return new URL(url).pathname.startsWith("/static/"); });
  ready.active.postMessage({
    type: "user",
    user: user || null,
    pages: app.dataset.pages,
    missing: words.missing,
    // The page's language and a way back, for the worker's "not kept" page.
    lang: document.documentElement.lang || "th",
    back: app.dataset.back,
    backLabel: app.dataset.backLabel,
    shell: shell,
    login: words.login,
    // My cases is where a volunteer starts the day: it refreshes what is kept.
    refresh: /\/cases\/mine\/$/.test(location.pathname),
  });
  return registration;
}

// --- Photos shrunk on the phone, online as offline --------------------------------------
// A phone's camera makes photos of 5 MB and more, which the server refuses; offline, the
// outbox shrinks them before sending, and online the form does the same as soon as they
// are chosen (a visit and its correction). Without script, the server's limit says why.
const photoInput = document.querySelector("form.visit-form input[type=file][name=photos]");
let shrinking = null;
if (photoInput && "DataTransfer" in window) {
  photoInput.addEventListener("change", function () {
    shrinking = (async function () {
      const chosen = Array.from(photoInput.files);
      const smaller = await Promise.all(chosen.map(function (file) {
        return shrink({ name: file.name, blob: file });
      }));
      if (smaller.every(function (photo, i) { return photo.blob === chosen[i]; })) return;
      const files = new DataTransfer();
      smaller.forEach(function (photo) {
        files.items.add(photo.blob instanceof File
          ? photo.blob : new File([photo.blob], photo.name, { type: photo.blob.type }));
      });
      photoInput.files = files.files;
    })().catch(function () { /* kept as chosen: the server says why not */ })
      .finally(function () { shrinking = null; });
  });
  // A submission while they are being shrunk waits for them (before the handlers below).
  document.addEventListener("submit", async function (event) {
    if (!shrinking || event.target !== photoInput.form) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    await shrinking;
    photoInput.form.requestSubmit(event.submitter);
  }, true);
}

// --- The visit form offline ----------------------------------------------------------
const form = document.querySelector("form.visit-form[data-case]");
const editing = new URLSearchParams(location.search).get("waiting");

function fill(fields) {
  form.querySelectorAll("input[type=checkbox], input[type=radio]").forEach(function (input) {
    input.checked = false;
  });
  form.querySelectorAll("select[multiple] option").forEach(function (option) { option.selected = false; });
  fields.forEach(function (pair) {
    const [name, value] = pair;
    form.querySelectorAll("[name='" + CSS.escape(name) + "']").forEach(function (element) {
      if (element.type === "checkbox" || element.type === "radio") {
        if (element.value === value) element.checked = true;
      } else if (element.tagName === "SELECT" && element.multiple) {
        Array.from(element.options).forEach(function (option) {
          if (option.value === value) option.selected = true;
        });
      } else if (element.type !== "file") {
        element.value = value;
      }
    });
  });
  form.querySelectorAll("input, select, textarea").forEach(function (element) {
    element.dispatchEvent(new Event("change", { bubbles: true }));
  });
}

async function saveOnPhone() {
  const data = new FormData(form);
  const previous = editing ? await getVisit(editing) : null;
  const fields = [];
  const files = [];
  for (const [name, value] of data.entries()) {
    if (name === "csrfmiddlewaretoken" || name === "submission_token") continue;
    if (value instanceof File) {
      if (value.size) files.push(value);
    } else {
      fields.push([name, value]);
    }
  }
  const photos = files.length
    ? await Promise.all(files.map(function (file) { return shrink({ name: file.name, blob: file }); }))
    : (previous ? previous.photos : []);
  const visit = {
    // A page kept on the phone holds one token; each visit recorded from it needs its own.
    token: previous ? previous.token : crypto.randomUUID(),
    user: user,
    caseId: form.dataset.case,
    caseName: form.dataset.caseName,
    caseUrl: form.dataset.caseUrl,
    action: location.pathname,
    fields: fields,
    photos: photos,
    savedAt: previous ? previous.savedAt : Date.now(),
    status: "waiting",
    message: "",
  };
  await putVisit(visit);
  try {
    const registration = await navigator.serviceWorker.ready;
    if (registration.sync) await registration.sync.register("send-visits");
  } catch (error) { /* no Background Sync: the online event and the next page load send */ }
  return visit;
}

// A kept form was made when it was fetched: a new visit is of today, now.
function today() {
  const date = form.querySelector("#id_visit_date");
  const time = form.querySelector("#id_visit_time");
  const now = new Date();
  const shown = date && /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(date.value);
  if (shown) {
    const buddhist = parseInt(shown[3], 10) >= 2400; // as the server wrote it (Thai or English)
    date.value = String(now.getDate()).padStart(2, "0") + "/" + String(now.getMonth() + 1).padStart(2, "0") +
      "/" + (now.getFullYear() + (buddhist ? 543 : 0));
  }
  if (time && /^\d{2}:\d{2}/.test(time.value)) {
    time.value = String(now.getHours()).padStart(2, "0") + ":" + String(now.getMinutes()).padStart(2, "0");
  }
}

if (form && user) {
  if (!navigator.onLine && !editing) today();
  if (editing) {
    getVisit(editing).then(function (visit) {
      if (!visit) return;
      fill(visit.fields);
      const note = document.createElement("p");
      note.className = "alert alert-warning";
      note.setAttribute("role", "status");
      note.textContent = words.waiting + (visit.message ? " · " + words.refused + ": " + visit.message : "") +
        (visit.photos.length ? " · " + words.photos + ": " + visit.photos.length : "");
      form.prepend(note);
    });
  }
  // Capturing, before visit.js disables the button for a normal submission.
  document.addEventListener("submit", async function (event) {
    if (event.target !== form) return;
    if (navigator.onLine && !editing) return; // online: the form is sent as always
    event.preventDefault();
    event.stopImmediatePropagation();
    await saveOnPhone();
    sessionStorage.setItem("offline-saved", "1");
    if (navigator.onLine) await sendWaiting();
    location.href = form.dataset.caseUrl;
  }, true);
}

// --- The waiting list ----------------------------------------------------------------
const list = document.getElementById("waiting-visits");

function dateOf(visit) {
  const field = visit.fields.find(function (pair) { return pair[0] === "visit_date"; });
  return field ? field[1] : "";
}

async function showWaiting() {
  if (!list || !user) return;
  const only = list.dataset.case;
  const visits = (await waitingVisits()).filter(function (visit) {
    return !only || visit.caseId === only;
  });
  const items = list.querySelector("ul");
  items.replaceChildren();
  visits.forEach(function (visit) {
    const item = document.createElement("li");
    item.className = "list-group-item waiting-visit";
    item.dataset.token = visit.token;
    const title = document.createElement("span");
    title.className = "fw-bold";
    title.textContent = visit.caseName + " · " + dateOf(visit);
    const state = document.createElement("span");
    state.className = "badge " + (visit.status === "waiting" ? "text-bg-warning" : "text-bg-danger") + " ms-2";
    state.textContent = visit.status === "refused" ? words.refused : words.waiting;
    item.append(title, state);
    if (visit.message) {
      const message = document.createElement("div");
      message.className = "small text-danger waiting-message";
      message.textContent = visit.message;
      item.append(message);
    }
    const actions = document.createElement("div");
    actions.className = "mt-2 d-flex gap-2";
    const edit = document.createElement("a");
    edit.className = "btn btn-outline-primary btn-sm";
    edit.href = visit.action + "?waiting=" + encodeURIComponent(visit.token);
    edit.textContent = words.edit;
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "btn btn-outline-danger btn-sm";
    remove.textContent = words.delete;
    remove.addEventListener("click", async function () {
      if (!window.confirm(words.confirmDelete)) return;
      await deleteVisit(visit.token);
      showWaiting();
    });
    actions.append(edit, remove);
    item.append(actions);
    items.append(item);
  });
  list.hidden = visits.length === 0;
  list.dataset.shown = "1"; // read from the phone (tests wait for it)
  const status = document.getElementById("waiting-status");
  const kept = new URLSearchParams(location.search).has("kept"); // by the worker (sw.js)
  // "Saved on this phone, sent when there is a signal" only while a visit still waits:
  // one corrected online was sent before this page opened, and one the server refused
  // waits for the volunteer, not for a signal (a trial saw both say "will be sent").
  const waiting = visits.some(function (visit) { return visit.status === "waiting"; });
  if (status && (sessionStorage.getItem("offline-saved") || kept)) {
    sessionStorage.removeItem("offline-saved");
    status.textContent = waiting ? words.saved : visits.length ? "" : words.sent;
  } else if (status && !waiting && status.textContent === words.saved) {
    status.textContent = "";
  }
}

// --- Sending: by the service worker ----------------------------------------------------
// The worker sends (one sender for the pages and Background Sync, one at a time); a page
// without a worker (no secure context) sends with the same code itself.
function askWorker() {
  return new Promise(function (resolve, reject) {
    if (!("serviceWorker" in navigator)) { reject(new Error("no worker")); return; }
    const gone = setTimeout(function () { reject(new Error("no worker")); }, 5000);
    navigator.serviceWorker.ready.then(function (registration) {
      clearTimeout(gone);
      const channel = new MessageChannel();
      channel.port1.onmessage = function (event) { resolve(event.data); };
      registration.active.postMessage({ type: "send", user: user }, [channel.port2]);
      // A worker stopped while sending never answers: the next chance asks again.
      setTimeout(function () { resolve(null); }, 5 * 60 * 1000);
    });
  });
}

let sending = null;

function sendWaiting() {
  if (!user || !navigator.onLine) return Promise.resolve(null);
  if (!sending) {
    sending = askWorker()
      .catch(function () { return sendFromHere(user, words.login); })
      .then(showResult)
      .then(tryAgainIfNoNetwork)
      .finally(function () { sending = null; });
  }
  return sending;
}

// A try from this page that found no network while the phone says it is online (a
// signal returns in steps): tried again 3, 10, then 30 seconds apart, and so again after
// each `online`. A browser without Background Sync (Safari, Firefox) has nothing else to
// try again before the next page.
const TRY_AGAIN_AFTER_MS = [3000, 10000, 30000];
let triesAgain = 0;
let tryAgainTimer = null;

function tryAgainIfNoNetwork(result) {
  if (!result || !result.offline) {
    triesAgain = 0;
  } else if (navigator.onLine && !tryAgainTimer && triesAgain < TRY_AGAIN_AFTER_MS.length) {
    tryAgainTimer = setTimeout(function () {
      tryAgainTimer = null;
      sendWaiting();
    }, TRY_AGAIN_AFTER_MS[triesAgain]);
    triesAgain += 1;
  }
  return result;
}

async function showResult(result) {
  if (result && result.sent) {
    const status = document.getElementById("waiting-status");
    if (status) status.textContent = words.sent;
  }
  if (result && result.relogin) showRelogin();
  await showWaiting();
  return result;
}

function showRelogin() {
  const status = document.getElementById("waiting-status");
  if (status) status.textContent = words.relogin;
}

if (user) {
  showWaiting().then(sendWaiting);
  window.addEventListener("online", function () {
    triesAgain = 0;
    clearTimeout(tryAgainTimer);
    tryAgainTimer = null;
    sendWaiting();
  });
  if ("serviceWorker" in navigator) {
    // What the worker sent on its own (Background Sync) shows on every open page.
    navigator.serviceWorker.addEventListener("message", function (event) {
      if (event.data && event.data.type === "sent") showResult(event.data.result);
    });
  }
}
// --- Logging out while visits wait ------------------------------------------------------
// They stay on the phone for this volunteer's next login, but not sent meanwhile: say so,
// and let the volunteer stay. Online, sending is tried first, for 5 seconds at most.
const LOGOUT_PATIENCE_MS = 5000;
const logout = words.logout
  ? document.querySelector("form[action='" + CSS.escape(words.logout) + "']")
  : null;
if (logout && user) {
  logout.addEventListener("submit", async function (event) {
    if (logout.dataset.confirmed) return;
    event.preventDefault();
    if (!navigator.onLine) {
      // The form would fail on its way and leave Chrome's own error page, the session
      // still open on the server: whoever holds the phone next would be logged in.
      window.alert(words.logoutOffline);
      return;
    }
    // Never held long: a worker's answer can be lost (it was stopped while sending),
    // and askWorker would then wait minutes. The question comes; the worker's sending
    // goes on (a page sending itself, with no worker, stops when the page is left).
    const patience = new Promise(function (resolve) { setTimeout(resolve, LOGOUT_PATIENCE_MS); });
    try { await Promise.race([sendWaiting(), patience]); } catch (error) { /* asked below */ }
    const left = await waitingVisits();
    if (left.length && !window.confirm(words.confirmLogout)) return;
    logout.dataset.confirmed = "1";
    logout.requestSubmit();
  });
}

startWorker().catch(function () { /* no service worker (not a secure context): online only */ });
