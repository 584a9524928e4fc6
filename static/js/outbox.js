// The outbox of waiting visits (issue 14), shared by the pages (static/js/offline.js) and
// the service worker (static/js/sw.js): one IndexedDB store, and ONE way of sending it,
// which runs where no page is open too (Background Sync wakes the worker alone). So it
// uses nothing a worker lacks: no document, no DOMParser, no window.
//
// A visit waits as {token, user, caseId, caseName, caseUrl, action, fields, photos,
// savedAt, status: "waiting" | "refused", message}, keyed by its submission token.

// The server's limits (cases/photos.py): at most 2000 px a side, 5 MB a file.
export const MAX_SIDE = 2000;
export const MAX_BYTES = 5 * 1024 * 1024;

export function openStore() {
  return new Promise(function (resolve, reject) {
    const request = indexedDB.open("visits-outbox", 1);
    request.onupgradeneeded = function () {
      request.result.createObjectStore("visits", { keyPath: "token" });
    };
    request.onsuccess = function () { resolve(request.result); };
    request.onerror = function () { reject(request.error); };
  });
}

export async function withStore(mode, work) {
  const db = await openStore();
  return new Promise(function (resolve, reject) {
    const tx = db.transaction("visits", mode);
    const result = work(tx.objectStore("visits"));
    tx.oncomplete = function () { db.close(); resolve(result && result.result); };
    tx.onerror = function () { db.close(); reject(tx.error); };
  });
}

// Only one user's: another volunteer on the same phone never sees, nor sends, them.
export async function waitingVisits(user) {
  const all = await withStore("readonly", function (store) { return store.getAll(); });
  return (all || [])
    .filter(function (visit) { return user && visit.user === String(user); })
    .sort(function (a, b) { return a.savedAt - b.savedAt; });
}

export function putVisit(visit) {
  return withStore("readwrite", function (store) { return store.put(visit); });
}

export function deleteVisit(token) {
  return withStore("readwrite", function (store) { return store.delete(token); });
}

// --- Photos: shrunk on the phone to the server's limits --------------------------------
// OffscreenCanvas works in a page and in the worker alike: a photo kept by the worker
// (a form sent into a failing network) is shrunk when it is sent, as one kept by a page.
export async function shrink(photo) {
  const blob = photo.blob;
  try {
    const bitmap = await createImageBitmap(blob);
    const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
    if (scale === 1 && blob.size <= MAX_BYTES && /^image\/(jpeg|png)$/.test(blob.type)) {
      bitmap.close();
      return photo;
    }
    const canvas = new OffscreenCanvas(
      Math.round(bitmap.width * scale), Math.round(bitmap.height * scale)
    );
    canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    bitmap.close();
    const smaller = await canvas.convertToBlob({ type: "image/jpeg", quality: 0.85 });
    return { name: photo.name.replace(/\.[^.]*$/, "") + ".jpg", blob: smaller };
  } catch (error) {
    // Not a picture the phone can read: kept as it is, the server will say why not.
    return photo;
  }
}

// --- The server's answers, read without a DOM ------------------------------------------
const ENTITIES = { amp: "&", lt: "<", gt: ">", quot: '"', "#x27": "'", "#39": "'", nbsp: " " };

function text(html) {
  return html.replace(/<[^>]*>/g, " ")
    .replace(/&(amp|lt|gt|quot|#x27|#39|nbsp);/g, function (_, name) { return ENTITIES[name]; })
    .replace(/\s+/g, " ").trim();
}

function mainOf(html) {
  const start = html.search(/<main\b/);
  const end = html.lastIndexOf("</main>");
  return start >= 0 ? html.slice(start, end > start ? end : undefined) : html;
}

// The server's own words: a message (the case is closed) or the form's errors; else the
// page's heading (the case is no longer on the volunteer's teams: 404).
export function serverMessage(html) {
  const main = mainOf(html);
  const found = [];
  const pattern = /<(div|span|ul|p)\b[^>]*class="[^"]*\b(alert-danger|alert-warning|invalid-feedback|errorlist)\b[^"]*"[^>]*>([\s\S]*?)<\/\1>/g;
  let match;
  while ((match = pattern.exec(main)) !== null) {
    const words = text(match[3]);
    if (words) found.push(words);
  }
  if (!found.length) {
    const heading = /<h1\b[^>]*>([\s\S]*?)<\/h1>/.exec(main);
    if (heading && text(heading[1])) found.push(text(heading[1]));
  }
  return Array.from(new Set(found)).join(" ");
}

function csrfOf(html) {
  const input = /<input\b[^>]*name="csrfmiddlewaretoken"[^>]*>/.exec(html);
  const value = input && /value="([^"]*)"/.exec(input[0]);
  return value ? value[1] : "";
}

function pathOf(url) {
  return new URL(url).pathname;
}

// --- Sending ---------------------------------------------------------------------------
// Sends `user`'s waiting visits, oldest first, through the visit form itself: a fresh GET
// for its CSRF token (and to learn whether the case still takes visits), then the POST
// with the visit's submission token, so that a resend after a lost answer is one visit.
// The answers:
// - the visit's page: saved (now, or by an earlier try whose answer was lost): removed;
// - the login page, or 403 (a session ended, another login, a stale CSRF token): stop,
//   every visit stays waiting until the volunteer logs in again;
// - anything else (the case closed or moved, a validation error): the visit stays on
//   the phone as refused, with the server's words, to be fixed or discarded;
// - no network: stop, they wait for the next chance.
// Returns {sent, refused, relogin, offline}.
export async function sendWaiting(user, loginPath) {
  const result = { sent: 0, refused: 0, relogin: false, offline: false };
  if (!user) return result;
  const visits = (await waitingVisits(user)).filter(function (visit) {
    return visit.status === "waiting";
  });
  for (const visit of visits) {
    try {
      const page = await fetch(visit.action, { credentials: "same-origin", cache: "no-store" });
      if (pathOf(page.url) === loginPath || page.status === 403) {
        result.relogin = true;
        break;
      }
      const html = await page.text();
      // Never under another login: the page says whose session the requests carry.
      const owner = /id="offline-app"[^>]*\sdata-user="(\d*)"/.exec(html);
      if (owner && owner[1] !== visit.user) {
        result.relogin = true;
        break;
      }
      if (pathOf(page.url) !== visit.action || !page.ok) {
        await refuse(visit, serverMessage(html) || String(page.status));
        result.refused += 1;
        continue;
      }
      const body = new FormData();
      body.append("csrfmiddlewaretoken", csrfOf(html));
      body.append("submission_token", visit.token);
      visit.fields.forEach(function (pair) { body.append(pair[0], pair[1]); });
      for (const photo of visit.photos) {
        const sent = await shrink(photo);
        body.append("photos", sent.blob, sent.name);
      }
      const response = await fetch(visit.action, {
        method: "POST", body: body, credentials: "same-origin",
      });
      if (pathOf(response.url) === loginPath || response.status === 403) {
        result.relogin = true;
        break;
      }
      if (/\/cases\/visits\/\d+\/$/.test(pathOf(response.url))) {
        await deleteVisit(visit.token);
        result.sent += 1;
        continue;
      }
      await refuse(visit, serverMessage(await response.text()) || String(response.status));
      result.refused += 1;
    } catch (error) {
      result.offline = true; // the signal went: the visits wait for the next chance
      break;
    }
  }
  return result;
}

async function refuse(visit, message) {
  visit.status = "refused";
  visit.message = message;
  await putVisit(visit);
}
