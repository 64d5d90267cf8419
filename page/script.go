package page

// pageScript is the discovery page's script. Everything works without it;
// it fills in subscribe links from the page's own address when the server
// could not know it, copies addresses, keeps the track filter while
// jumping from day to day, marks the day being read, shows what is on now
// and next while the event is on (by the browser's clock), and builds the
// personal agenda's links as sessions are ticked. It writes text only
// with textContent, never markup.
const pageScript = `(function () {
  var body = document.body, lang = document.documentElement.lang;
  var $ = function (id) { return document.getElementById(id); };
  var base = body.dataset.base;
  var root = new URL(base ? base.replace(/\/*$/, "/") : ".", location.href);
  var live = /^https?:$/.test(root.protocol);
  // count says n sessions with the page's plural rule: in French 0 and 1
  // take the singular, in English only 1 does.
  function count(n) {
    var one = lang === "fr" ? n < 2 : n === 1;
    return (one ? body.dataset.singular : body.dataset.plural).replace("%d", n);
  }
  // q escapes a query value as the server does (Go's url.QueryEscape),
  // so that a link reads the same whoever built it.
  function q(s) {
    return encodeURIComponent(s).replace(/[!'()*]/g, function (c) { return "%" + c.charCodeAt(0).toString(16).toUpperCase(); }).replace(/%20/g, "+");
  }
  function webcal(u) { return u.replace(/^https?:/, "webcal:"); }
  function google(u) { return "https://calendar.google.com/calendar/r?cid=" + q(webcal(u)); }
  function outlook(host, u, name) { return "https://" + host + "/calendar/0/addfromweb?url=" + q(u) + "&name=" + q(name); }
  function links(u, name) {
    return {w: webcal(u), g: google(u), o: outlook("outlook.live.com", u, name), ow: outlook("outlook.office.com", u, name), u: u};
  }
  if (live && !base) {
    document.querySelectorAll(".act[data-feed]").forEach(function (el) {
      var l = links(new URL(el.dataset.feed, root).href, el.dataset.name);
      Object.keys(l).forEach(function (c) { var a = el.querySelector("a." + c); a.href = l[c]; a.hidden = false; });
    });
  }
  function copy(text, done, fallback) {
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, fallback);
    } else { fallback(); }
  }
  document.querySelectorAll(".act a.u").forEach(function (a) {
    a.textContent = body.dataset.copy;
    a.addEventListener("click", function (e) {
      e.preventDefault();
      copy(a.href, function () { a.textContent = body.dataset.copied; }, function () { window.prompt(body.dataset.prompt, a.href); });
    });
  });

  // The filter says which track is chosen to assistive technology too.
  function markFilter() {
    var only = /^#only-\d+$/.test(location.hash) ? location.hash : "#programme";
    document.querySelectorAll(".filter a").forEach(function (a) {
      if (a.getAttribute("href") === only) a.setAttribute("aria-current", "true");
      else a.removeAttribute("aria-current");
    });
  }
  markFilter();
  window.addEventListener("hashchange", markFilter);

  // A day link scrolls to its day without changing the address, so that
  // a track chosen in the filter (#only-N) stays chosen, and moves the
  // focus there.
  var dayLinks = Array.prototype.slice.call(document.querySelectorAll(".week a"));
  dayLinks.forEach(function (a) {
    a.addEventListener("click", function (e) {
      var day = $(a.getAttribute("href").slice(1));
      if (!day) return;
      e.preventDefault();
      day.scrollIntoView();
      day.querySelector("h3").focus({preventScroll: true});
      mark();
    });
  });
  // The row of days marks the day being read.
  var days = Array.prototype.slice.call(document.querySelectorAll(".day"));
  var marking = false;
  function mark() {
    marking = false;
    var at = null;
    days.forEach(function (d) { if (d.offsetParent !== null && d.getBoundingClientRect().top < 120) at = d; });
    dayLinks.forEach(function (a) {
      if (at && a.getAttribute("href") === "#" + at.id) a.setAttribute("aria-current", "true");
      else a.removeAttribute("aria-current");
    });
  }
  window.addEventListener("scroll", function () { if (!marking) { marking = true; requestAnimationFrame(mark); } }, {passive: true});
  mark();

  // Now and next, from the browser's clock, only during the event.
  var box = $("now");
  function today(t) {
    try {
      return new Intl.DateTimeFormat("en-CA", {timeZone: body.dataset.zone, year: "numeric", month: "2-digit", day: "2-digit"}).format(t);
    } catch (e) { return ""; }
  }
  function fill(list, items, date) {
    list.textContent = "";
    items.slice(0, 8).forEach(function (s) {
      var day = s.closest(".day"), li = document.createElement("li"), a = document.createElement("a"), w = document.createElement("span");
      a.href = "#" + day.id;
      a.textContent = s.querySelector(".ti").textContent;
      a.addEventListener("click", function (e) { e.preventDefault(); s.scrollIntoView({block: "center"}); });
      var when = [s.querySelector(".w").textContent];
      if (day.id !== "d-" + date && !s.parentElement.classList.contains("ad")) when.unshift(day.dataset.short);
      var pl = s.querySelector(".pl");
      if (pl) when.push(pl.textContent);
      w.className = "w";
      w.textContent = " " + when.join(" · ");
      li.appendChild(a);
      li.appendChild(w);
      list.appendChild(li);
    });
    list.hidden = list.previousElementSibling.hidden = items.length === 0;
  }
  // Now: what is on (timed sessions first, then the day's all-day
  // ones); next: the timed sessions that start soonest. Both follow the
  // track filter.
  function nowNext() {
    var t = Date.now();
    if (!(t >= Date.parse(box.dataset.from) && t < Date.parse(box.dataset.until))) { box.hidden = true; return; }
    var only = /^#only-(\d+)$/.exec(location.hash);
    var seen = {}, now = [], allDay = [], next = [], soonest = Infinity;
    document.querySelectorAll(".s[data-start]").forEach(function (s) {
      if (seen[s.dataset.key] || s.classList.contains("x") || (only && !s.classList.contains("k" + only[1]))) return;
      seen[s.dataset.key] = true;
      var a = Date.parse(s.dataset.start), b = Date.parse(s.dataset.end), untimed = s.parentElement.classList.contains("ad");
      if (a <= t && t < b) (untimed ? allDay : now).push(s);
      else if (untimed || a <= t) return;
      else if (a < soonest) { soonest = a; next = [s]; }
      else if (a === soonest) next.push(s);
    });
    var date = today(t);
    fill($("now-list"), now.concat(allDay), date);
    fill($("next-list"), next, date);
    box.hidden = now.length + allDay.length + next.length === 0;
  }
  if (box) { nowNext(); setInterval(nowNext, 60000); window.addEventListener("hashchange", nowNext); }

  var form = $("agenda");
  if (!form) return;
  var key = "confcal:agenda:" + body.dataset.programme;
  var boxes = Array.prototype.slice.call(form.querySelectorAll("input[name=session]"));
  function chosen() {
    var seen = {}, ids = [];
    boxes.forEach(function (b) { if (b.checked && !seen[b.value]) { seen[b.value] = true; ids.push(b.value); } });
    return ids.sort();
  }
  function update() {
    var ids = chosen();
    try { localStorage.setItem(key, ids.join(",")); } catch (e) {}
    $("agenda-none").hidden = ids.length > 0;
    $("agenda-links").hidden = ids.length === 0;
    if (!ids.length) return;
    var u = new URL("agenda.ics", root).href + "?session=" + ids.map(encodeURIComponent).join(",");
    var l = links(u, $("agenda-panel").dataset.name);
    $("agenda-count").textContent = count(ids.length);
    $("agenda-webcal").href = l.w;
    $("agenda-google").href = l.g;
    $("agenda-outlook").href = l.o;
    $("agenda-outlook-work").href = l.ow;
    $("agenda-download").href = u;
    var sync = $("agenda-sync");
    if (sync) sync.href = new URL(sync.dataset.start, root).href + "?session=" + ids.map(encodeURIComponent).join(",");
    $("agenda-url").value = u;
    $("agenda-copied").textContent = "";
  }
  form.addEventListener("change", function (e) {
    var t = e.target;
    if (t.name !== "session") return;
    boxes.forEach(function (b) { if (b.value === t.value) b.checked = t.checked; });
    update();
  });
  $("agenda-clear").addEventListener("click", function () { boxes.forEach(function (b) { b.checked = false; }); update(); });
  $("agenda-copy").addEventListener("click", function () {
    var input = $("agenda-url"), done = function () { $("agenda-copied").textContent = body.dataset.copied; };
    copy(input.value, done, function () { input.select(); if (document.execCommand("copy")) done(); });
  });
  var saved = "";
  try { saved = localStorage.getItem(key) || ""; } catch (e) {}
  var want = {};
  saved.split(",").forEach(function (id) { if (id) want[id] = true; });
  boxes.forEach(function (b) { if (want[b.value]) b.checked = true; });
  update();
})();
`
