// Working without a signal (issue 14). On every page: registers the service worker
// (static/js/sw.js) and tells it who is logged in; shows the offline banner. On the visit
// form: offline, the visit is saved on the phone (IndexedDB) with its submission token,
// photos shrunk to the server's limits. On my cases and the case page: the waiting
// visits, to edit or delete. Whenever online: sends them, oldest first, through the
// same form and validation as online visits; the token makes a resend one visit.
const app = document.getElementById("offline-app");
const banner = document.getElementById("offline-banner");
const user = app ? app.dataset.user : "";
const words = app ? app.dataset : {};

// The server's limits (cases/photos.py): at most 2000 px a side, 5 MB a file.
const MAX_SIDE = 2000;
const MAX_BYTES = 5 * 1024 * 1024;

function showBanner() {
  if (banner) banner.hidden = navigator.onLine;
}
showBanner();
window.addEventListener("online", showBanner);
window.addEventListener("offline", showBanner);

// --- IndexedDB: one store of waiting visits, keyed by submission token -----------------
function openStore() {
  return new Promise(function (resolve, reject) {
    const request = indexedDB.open("visits-outbox", 1);
    request.onupgradeneeded = function () {
      request.result.createObjectStore("visits", { keyPath: "token" });
    };
    request.onsuccess = function () { resolve(request.result); };
    request.onerror = function () { reject(request.error); };
  });
}

async function withStore(mode, work) {
  const db = await openStore();
  return new Promise(function (resolve, reject) {
    const tx = db.transaction("visits", mode);
    const result = work(tx.objectStore("visits"));
    tx.oncomplete = function () { db.close(); resolve(result && result.result); };
    tx.onerror = function () { db.close(); reject(tx.error); };
  });
}

// Only this user's: another volunteer on the same phone never sees them.
async function waitingVisits() {
  const all = await withStore("readonly", function (store) { return store.getAll(); });
  return (all || [])
    .filter(function (visit) { return visit.user === user; })
    .sort(function (a, b) { return a.savedAt - b.savedAt; });
}

function putVisit(visit) {
  return withStore("readwrite", function (store) { return store.put(visit); });
}

function deleteVisit(token) {
  return withStore("readwrite", function (store) { return store.delete(token); });
}

async function getVisit(token) {
  const visit = await withStore("readonly", function (store) { return store.get(token); });
  return visit && visit.user === user ? visit : null;
}

// --- Service worker ------------------------------------------------------------------
async function startWorker() {
  if (!("serviceWorker" in navigator) || !app) return;
  const registration = await navigator.serviceWorker.register(app.dataset.sw, { scope: "/" });
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
    shell: shell,
    // My cases is where a volunteer starts the day: it refreshes what is kept.
    refresh: /\/cases\/mine\/$/.test(location.pathname),
  });
  return registration;
}

// --- Photos: shrunk on the phone ---------------------------------------------------
async function shrink(file) {
  try {
    const bitmap = await createImageBitmap(file);
    const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
    if (scale === 1 && file.size <= MAX_BYTES && /^image\/(jpeg|png)$/.test(file.type)) {
      return { name: file.name, blob: file };
    }
    const canvas = document.createElement("canvas");
    canvas.width = Math.round(bitmap.width * scale);
    canvas.height = Math.round(bitmap.height * scale);
    canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    const blob = await new Promise(function (resolve) { canvas.toBlob(resolve, "image/jpeg", 0.85); });
    return { name: file.name.replace(/\.[^.]*$/, "") + ".jpg", blob: blob };
  } catch (error) {
    // Not a picture the phone can read: kept as it is, the server will say why not.
    return { name: file.name, blob: file };
  }
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
  const photos = files.length ? await Promise.all(files.map(shrink)) : (previous ? previous.photos : []);
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
  if (status && (sessionStorage.getItem("offline-saved") || kept)) {
    sessionStorage.removeItem("offline-saved");
    status.textContent = words.saved;
  }
}

// --- Sending -------------------------------------------------------------------------
function isLogin(url) {
  return new URL(url).pathname === words.login;
}

// The server's own words: a message (the case is closed) or the form's errors.
function serverMessage(html) {
  const page = new DOMParser().parseFromString(html, "text/html");
  const texts = Array.from(page.querySelectorAll(
    "#content .alert-danger, #content .alert-warning, #content .invalid-feedback, #content .errorlist"
  )).map(function (element) { return element.textContent.trim(); }).filter(Boolean);
  if (!texts.length) {
    // A page that is not the form (the case is no longer on the volunteer's teams: 404).
    const heading = page.querySelector("#content h1");
    if (heading) texts.push(heading.textContent.trim());
  }
  return Array.from(new Set(texts)).join(" ");
}

let sending = false;

async function sendWaiting() {
  if (sending || !user || !navigator.onLine) return;
  sending = true;
  let sent = 0;
  try {
    const visits = (await waitingVisits()).filter(function (visit) { return visit.status === "waiting"; });
    for (const visit of visits) {
      // A fresh form: its CSRF token, and whether the case still takes visits.
      const page = await fetch(visit.action, { credentials: "same-origin", cache: "no-store" });
      if (isLogin(page.url)) { showRelogin(); break; }
      const html = await page.text();
      if (new URL(page.url).pathname !== visit.action || !page.ok) {
        visit.status = "refused";
        visit.message = serverMessage(html) || String(page.status);
        await putVisit(visit);
        continue;
      }
      const csrf = new DOMParser().parseFromString(html, "text/html")
        .querySelector("input[name=csrfmiddlewaretoken]");
      const body = new FormData();
      body.append("csrfmiddlewaretoken", csrf ? csrf.value : "");
      body.append("submission_token", visit.token);
      visit.fields.forEach(function (pair) { body.append(pair[0], pair[1]); });
      visit.photos.forEach(function (photo) { body.append("photos", photo.blob, photo.name); });
      const response = await fetch(visit.action, { method: "POST", body: body, credentials: "same-origin" });
      if (isLogin(response.url)) { showRelogin(); break; }
      if (/\/cases\/visits\/\d+\/$/.test(new URL(response.url).pathname)) {
        await deleteVisit(visit.token); // saved, now or by an earlier try whose answer was lost
        sent += 1;
        continue;
      }
      visit.status = "refused";
      visit.message = serverMessage(await response.text()) || String(response.status);
      await putVisit(visit);
    }
  } catch (error) {
    // The signal went: the visits wait for the next chance.
  } finally {
    sending = false;
  }
  if (sent) {
    const status = document.getElementById("waiting-status");
    if (status) status.textContent = words.sent;
  }
  await showWaiting();
}

function showRelogin() {
  const status = document.getElementById("waiting-status");
  if (status) status.textContent = words.relogin;
}

if (user) {
  showWaiting().then(sendWaiting);
  window.addEventListener("online", sendWaiting);
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.addEventListener("message", function (event) {
      if (event.data && event.data.type === "sync") sendWaiting();
    });
  }
}
startWorker().catch(function () { /* no service worker (not a secure context): online only */ });
