// The service worker (served at /sw.js by coordination/pwa.py so that it controls every
// page). It keeps two things on the phone:
// - the app shell (CSS, JS, fonts, icons): static files, hashed in production, so a
//   copy never goes stale; kept whoever is logged in;
// - one user's pages (my cases, their open cases and visit forms, photos they opened),
//   in a cache named after that user, deleted when anyone else (or no one) is logged in,
//   and never served after the session's expiry.
// Waiting visits are not here but in IndexedDB (static/js/outbox.js). The worker sends
// them itself: on Background Sync with no page open, and when a page asks.
//
// A module worker (registered with type "module"): coordination/pwa.py serves this file
// with the import below pointing at the outbox's current static URL.
import { openStore, sendWaiting } from "/static/js/outbox.js";

const SHELL = "shell-v1";
const META = "meta-v1";
const META_URL = "/__offline-meta";
const PAGES_PREFIX = "pages-";
// What may be kept: a volunteer's pages, and photos they opened themselves.
// Not the visit form: a form seen online is submitted online, and its submission token
// must never be submitted again from a kept copy (that would read as "already saved").
// Forms are kept only by refreshPages, whose copies are never shown online.
const KEEPABLE = [
  /^\/cases\/mine\/$/,
  /^\/cases\/\d+\/$/,
  /^\/cases\/photos\/\d+\/$/,
];
const VISIT_FORM = /^\/cases\/(\d+)\/visits\/new\/$/;

self.addEventListener("install", function () {
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  event.waitUntil(self.clients.claim());
});

async function readMeta() {
  const cache = await caches.open(META);
  const response = await cache.match(META_URL);
  return response ? response.json() : { user: null, expires: 0, missing: "" };
}

async function writeMeta(meta) {
  const cache = await caches.open(META);
  await cache.put(META_URL, new Response(JSON.stringify(meta)));
}

async function dropPagesExcept(keep) {
  const names = await caches.keys();
  await Promise.all(
    names
      .filter(function (name) { return name.startsWith(PAGES_PREFIX) && name !== keep; })
      .map(function (name) { return caches.delete(name); })
  );
}

function pagesOf(user) {
  return PAGES_PREFIX + user;
}

function keepable(url) {
  const parsed = new URL(url);
  return parsed.origin === self.location.origin && KEEPABLE.some(function (pattern) {
    return pattern.test(parsed.pathname);
  });
}

// The page tells who is logged in (nobody on the login page) and what to keep.
async function setUser(message) {
  const meta = await readMeta();
  const user = message.user || null;
  if (meta.user !== user || !user) {
    await dropPagesExcept(user ? pagesOf(user) : null);
  }
  const next = {
    user: user,
    // The session's end comes with the list of pages (refreshPages), from the server.
    expires: user && meta.user === user ? meta.expires : 0,
    missing: message.missing || meta.missing || "",
    lang: message.lang || meta.lang || "th",
    back: message.back || meta.back || "",
    backLabel: message.backLabel || meta.backLabel || "",
    login: message.login || meta.login || "/login/",
    refreshed: meta.user === user ? meta.refreshed || 0 : 0,
  };
  await writeMeta(next);
  if (message.shell && message.shell.length) {
    const shell = await caches.open(SHELL);
    await Promise.all(message.shell.map(async function (url) {
      if (!(await shell.match(url))) {
        try { await shell.add(url); } catch (error) { /* offline: next time */ }
      }
    }));
  }
  // Refreshing the kept pages takes a while: the caller does it after the user is settled.
  // My cases (`refresh`) keeps them fresher than other pages, not at every visit of it:
  // a volunteer comes back to it after each home, and a refresh fetches every kept page.
  // Returns the age past which they are refreshed, or 0 when they are fresh enough.
  const maxAge = message.refresh ? 60 * 1000 : 5 * 60 * 1000;
  const age = Date.now() - next.refreshed;
  return user && message.pages && age > maxAge ? maxAge : 0;
}

// One refresh at a time for a user: `refreshed` is written when a refresh ends, so every
// page opened meanwhile asked for one more, each fetching every kept page again (nine
// refreshes, some 450 pages and 2.5 MB for eight pages opened within six seconds).
// A page's message is settled (setUser) before its refresh starts here: a refresh that
// ended in between has made the pages fresh, so the age is read again first.
let refreshing = null;

function refreshOnce(user, listUrl, maxAge) {
  if (!refreshing || refreshing.user !== user) {
    const run = { user: user };
    run.done = readMeta().then(function (meta) {
      const fresh = meta.user === user && Date.now() - (meta.refreshed || 0) <= maxAge;
      return fresh ? null : refreshPages(user, listUrl);
    }).finally(function () {
      if (refreshing === run) refreshing = null;
    });
    refreshing = run;
  }
  return refreshing.done;
}

// Each request of a refresh says it is the worker's copy, not the person opening a page
// (coordination/middleware.py): it changes no cookie, and the access log says so.
const COPY = { credentials: "same-origin", cache: "no-store", headers: { "X-Offline-Copy": "1" } };

// Fetches the list of this user's pages, then each page; drops pages no longer listed
// (a case closed or moved to another team). Stops quietly when the signal goes.
async function refreshPages(user, listUrl) {
  let list;
  try {
    const response = await fetch(listUrl, COPY);
    if (!response.ok || response.redirected) return;
    list = await response.json();
  } catch (error) {
    return;
  }
  if (String(list.user) !== String(user)) return; // another login in the meantime
  const before = await readMeta();
  if (before.user !== user) return;
  before.expires = list.expires; // first: a page kept below is shown only before it
  await writeMeta(before);
  const cache = await caches.open(pagesOf(user));
  const wanted = new Set(list.urls.map(function (url) { return new URL(url, self.location.origin).href; }));
  for (const url of wanted) {
    try {
      const response = await fetch(url, COPY);
      if (response.ok && !response.redirected) await cache.put(url, response);
    } catch (error) {
      return;
    }
  }
  for (const request of await cache.keys()) {
    if (!wanted.has(request.url) && !/\/cases\/photos\//.test(request.url)) {
      await cache.delete(request);
    }
  }
  const meta = await readMeta();
  if (meta.user === user) {
    meta.refreshed = Date.now();
    await writeMeta(meta);
  }
}

// Who is logged in is settled message by message, in order: a send asked for right after
// a login must not run on the previous user's meta.
let userSettled = Promise.resolve(false);

self.addEventListener("message", function (event) {
  const data = event.data || {};
  if (data.type === "user") {
    userSettled = userSettled.catch(function () { return false; }).then(function () {
      return setUser(data);
    });
    event.waitUntil(userSettled.then(function (maxAge) {
      return maxAge ? refreshOnce(data.user, data.pages, maxAge) : null;
    }));
  } else if (data.type === "send") {
    // From a page (on load, on `online`, after a visit is saved): the page's user, whose
    // session the requests carry. The answer goes back on the page's port.
    const port = event.ports && event.ports[0];
    // A run that failed answers too (null): the page must not wait for an answer that
    // never comes.
    event.waitUntil(userSettled.then(function () {
      return sendAll(data.user ? String(data.user) : null);
    }).catch(function () { return null; }).then(function (result) {
      if (port) port.postMessage(result);
    }));
  }
});

async function fromNetworkOrCache(event) {
  const request = event.request;
  const meta = await readMeta();
  try {
    const response = await fetch(request);
    if (meta.user && response.ok && !response.redirected && keepable(request.url)) {
      const copy = response.clone();
      event.waitUntil(caches.open(pagesOf(meta.user)).then(function (cache) {
        return cache.put(request.url, copy);
      }));
    }
    return response;
  } catch (error) {
    if (meta.user && meta.expires > Date.now()) {
      const cache = await caches.open(pagesOf(meta.user));
      const kept = await cache.match(request.url, { ignoreSearch: true });
      if (kept) return kept;
    } else if (meta.user) {
      await dropPagesExcept(null); // the session is over: so are its pages
    }
    return new Response(notKeptPage(meta), {
      status: 503,
      headers: { "Content-Type": "text/html; charset=utf-8" },
    });
  }
}

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, function (c) {
    return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
  });
}

// Offline, a page not kept: what it is, in the page's language, and the way back to the
// volunteer's cases (a trial found a bare line, with no way back and no language).
function notKeptPage(meta) {
  const back = meta.back
    ? "<p><a style='display:inline-block;min-height:44px;line-height:44px' href='" +
      escapeHtml(meta.back) + "'>" + escapeHtml(meta.backLabel || meta.back) + "</a></p>"
    : "";
  return "<!doctype html><html lang='" + escapeHtml(meta.lang || "th") + "'>" +
    "<meta charset=utf-8><meta name=viewport content='width=device-width'>" +
    "<title>" + escapeHtml(meta.missing || "Offline") + "</title>" +
    "<body style='font:1.2rem sans-serif;padding:1rem'><p>" +
    escapeHtml(meta.missing || "Offline") + "</p>" + back + "</body></html>";
}

// Hashed names (production: WhiteNoise's manifest, e.g. app.3f2a9c1b7d4e.css) never change:
// the kept copy first. Unhashed ones (development) change under the same name: the
// network first, the kept copy offline.
const HASHED = /\.[0-9a-f]{12}\.[a-z0-9]+$/;

async function shellFirst(request) {
  const shell = await caches.open(SHELL);
  if (HASHED.test(new URL(request.url).pathname)) {
    const kept = await shell.match(request);
    if (kept) return kept;
  }
  try {
    const response = await fetch(request);
    if (response.ok) shell.put(request, response.clone());
    return response;
  } catch (error) {
    const kept = await shell.match(request);
    if (kept) return kept;
    throw error;
  }
}

async function keepInOutbox(make) {
  const db = await openStore();
  return new Promise(function (resolve, reject) {
    const tx = db.transaction("visits", "readwrite");
    const store = tx.objectStore("visits");
    let record;
    make(store, function (value) { record = value; store.put(value); });
    tx.oncomplete = function () { db.close(); resolve(record); };
    tx.onerror = function () { db.close(); reject(tx.error); };
  });
}

function unescapeHtml(text) {
  return text.replace(/&quot;/g, '"').replace(/&#x27;|&#39;/g, "'").replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

// A visit form sent while the phone believed it had a signal, and the network failed
// ("lie-fi"): the visit is kept in the outbox rather than lost on the browser's error page.
async function sendOrKeep(event, caseId) {
  const request = event.request;
  const copy = request.clone();
  try {
    return await fetch(request);
  } catch (error) {
    const meta = await readMeta();
    if (!meta.user) return Response.error();
    const data = await copy.formData();
    const fields = [];
    const photos = [];
    for (const [name, value] of data.entries()) {
      if (name === "csrfmiddlewaretoken" || name === "submission_token") continue;
      if (typeof value === "string") fields.push([name, value]);
      else if (value.size) photos.push({ name: value.name, blob: value });
    }
    const path = new URL(request.url).pathname;
    const caseUrl = path.replace(/visits\/new\/$/, "");
    const kept = await caches.open(pagesOf(meta.user)).then(function (cache) {
      return cache.match(new URL(path, self.location.origin).href);
    });
    const html = kept ? await kept.text() : "";
    const name = /data-case-name="([^"]*)"/.exec(html);
    const pageToken = String(data.get("submission_token") || "");
    await keepInOutbox(function (store, put) {
      const existing = store.get(pageToken || "-");
      existing.onsuccess = function () {
        put({
          // The form's token, unless a visit on the phone already has it (two visits
          // from one kept form): then one of its own.
          token: pageToken && !existing.result ? pageToken : crypto.randomUUID(),
          user: String(meta.user),
          caseId: caseId,
          caseName: name ? unescapeHtml(name[1]) : "",
          caseUrl: caseUrl,
          action: path,
          fields: fields,
          photos: photos,
          savedAt: Date.now(),
          status: "waiting",
          message: "",
        });
      };
    });
    return Response.redirect(caseUrl + "?kept=1", 303);
  }
}

self.addEventListener("fetch", function (event) {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  const visitForm = VISIT_FORM.exec(url.pathname);
  if (request.method === "POST" && request.mode === "navigate" && visitForm) {
    event.respondWith(sendOrKeep(event, visitForm[1]));
    return;
  }
  if (request.method !== "GET") return;
  if (request.mode === "navigate") {
    event.respondWith(fromNetworkOrCache(event));
  } else if (url.pathname.startsWith("/static/")) {
    event.respondWith(shellFirst(request));
  }
});

// --- Sending the waiting visits (static/js/outbox.js says how) ---------------------------
// One run at a time: a page's request during a run is answered by a run after it, so a
// visit saved meanwhile is not left behind. Every open page hears the result.
let running = null;
let again = null;

function sendAll(user) {
  if (running) {
    // After the run, failed or not (a failed run must not leave `again` rejected for good).
    again = again || running.catch(function () { return null; }).then(function () {
      again = null;
      return sendAll(user);
    });
    return again;
  }
  running = (async function () {
    const meta = await readMeta();
    // Only the logged-in user's visits, with that user's session (the page says who).
    const who = user || meta.user;
    if (!who || (meta.user && String(meta.user) !== String(who))) {
      return { sent: 0, refused: 0, relogin: false, offline: false };
    }
    return sendWaiting(String(who), meta.login || "/login/");
  })();
  const done = running.then(async function (result) {
    running = null;
    const pages = await self.clients.matchAll({ type: "window" });
    pages.forEach(function (page) { page.postMessage({ type: "sent", result: result }); });
    return result;
  }, function (error) {
    running = null;
    throw error;
  });
  running = done;
  return done;
}

// Background Sync (Chromium): fired when the phone has a signal again, with or without an
// open page of the app. The worker sends the visits itself.
self.addEventListener("sync", function (event) {
  if (event.tag !== "send-visits") return;
  event.waitUntil(sendAll(null).then(function (result) {
    // Failing the event makes the browser fire it again later (with backoff): the
    // signal went while sending, or the phone only believed it had one.
    if (result.offline) throw new Error("no signal: the visits wait for the next sync");
  }));
});
