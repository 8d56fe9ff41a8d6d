"""The console in a real browser: headless Chromium (Debian's chromium and chromium-driver) driven
by Selenium against a real `voxsight serve`, a real worker, PostgreSQL and Redis.

One supervisor's day: sign in, upload a real recording (and a file that is not one), watch its job
finish, open its tagged transcript, click a segment and hear the call from there, filter the calls
by emotion, find words and open the call at them, see a new alert arrive without reloading,
acknowledge an alert with a comment, sign out. Then every role
signs in and sees only its pages. Every page is saved as a screenshot in
tests/artifacts/console/ (git-ignored) for a person to look at.
"""

from __future__ import annotations

import hashlib
import re
import shutil

import httpx
import pytest

from helpers import PASSWORD, ROOT, SAMPLES, SHARED_AUDIO, wait_done
from voxsight.alerts import Alerting
from voxsight.config import Config
from voxsight.results import AnalysisResult, RecordingInfo, Segment

CHROMIUM, DRIVER = shutil.which("chromium") or shutil.which("chromium-browser"), shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(not (CHROMIUM and DRIVER), reason="the browser test needs Debian's chromium and "
                                                                   "chromium-driver: apt-get install chromium chromium-driver")
SHOTS = ROOT / "tests" / "artifacts" / "console"
# A short real recording (4.6 s of Korean speech); the sample calls stand in where the shared audio is absent.
UPLOAD = SHARED_AUDIO / "multilingual" / "ko.mp3"
PAGES = {"viewer": ["Calls", "Call"], "analyst": ["Analyze", "Calls", "Call", "Analytics"],
         "supervisor": ["Analyze", "Calls", "Call", "Alerts", "Analytics"],
         "admin": ["Analyze", "Calls", "Call", "Alerts", "Analytics", "Admin"]}


@pytest.fixture(scope="module")
def site(served_site):
    """A served site with a user per role and two sample calls analyzed (one angry, with alerts)."""
    s = served_site(env={"VOXSIGHT_AUDIO_CHANNELS": "split"})
    for call, agent, queue in (("billing_dispute.wav", "ann", "billing"), ("happy_upgrade.wav", "bob", "sales")):
        job = httpx.post(s.url + "/api/v1/recordings", headers={"Authorization": f"Bearer {s.tokens['analyst']}"},
                         files={"file": (call, (SAMPLES / "calls" / call).read_bytes())},
                         data={"agent": agent, "queue": queue}, timeout=120).json()
        wait_done(s, job["id"])
    SHOTS.mkdir(parents=True, exist_ok=True)
    return s


@pytest.fixture
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1440,1000",
                     "--autoplay-policy=no-user-gesture-required", "--mute-audio"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    yield driver
    driver.quit()


# -- what a person does, in the browser's terms

def wait(driver, condition, timeout=30, what="the page"):
    """``condition``'s value once it holds; on a timeout the page is saved for whoever reads the failure."""
    from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
    from selenium.webdriver.support.ui import WebDriverWait

    # Gradio re-renders a table or a list while it updates: an element read mid-way is stale, and
    # the condition is simply asked again on the next poll.
    waiter = WebDriverWait(driver, timeout, poll_frequency=0.2, ignored_exceptions=(StaleElementReferenceException,))
    try:
        return waiter.until(lambda d: condition(d), f"waiting for {what}")
    except TimeoutException:
        SHOTS.mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(SHOTS / "timed-out.png"))
        (SHOTS / "timed-out.html").write_text(driver.page_source)
        raise


def by_css(driver, selector):
    from selenium.webdriver.common.by import By

    return driver.find_elements(By.CSS_SELECTOR, selector)


def sign_in(driver, url: str, name: str) -> None:
    driver.get(url + "/")
    wait(driver, lambda d: by_css(d, "#name"), what="the sign-in page")
    by_css(driver, "#name")[0].send_keys(name)
    by_css(driver, "#password")[0].send_keys(PASSWORD)
    by_css(driver, "#sign-in")[0].click()
    wait(driver, lambda d: tabs(d), what="the console's tabs")


def tabs(driver) -> list[str]:
    return [b.text for b in by_css(driver, "#vx-tabs > div > div > button[role=tab], #vx-tabs button[role=tab]")
            if b.is_displayed() and b.text]


def open_tab(driver, label: str) -> None:
    [button] = [b for b in by_css(driver, "#vx-tabs button[role=tab]") if b.text.split(" (")[0] == label]
    button.click()
    wait(driver, lambda d: button.get_attribute("aria-selected") == "true", what=f"the {label} tab")


def cell(driver, table: str, text_: str):
    """The first cell of a table whose text is exactly ``text_``, or None."""
    for c in by_css(driver, f"#{table} [data-testid^='cell-']"):
        if c.text.strip() == text_:
            return c
    return None


def row_of(element) -> str:
    return element.get_attribute("data-row")


def shot(driver, name: str) -> None:
    """The whole page, as tall as it is."""
    driver.execute_script("window.scrollTo(0, 0)")
    height = driver.execute_script("return Math.max(document.documentElement.scrollHeight, 1000)")
    driver.set_window_size(1440, min(height, 4000))
    driver.save_screenshot(str(SHOTS / f"{name}.png"))
    driver.set_window_size(1440, 1000)


def idle(driver) -> bool:
    """Gradio shows a pending event's spinner in the status trackers; none is pending."""
    return not driver.execute_script(
        "return [...document.querySelectorAll('[data-testid=status-tracker]')].some("
        "t => !t.classList.contains('hide') && t.querySelector('.eta-bar, .progress-text, .loader'))")


# -- the flow

def test_a_supervisors_day_in_the_console(site, browser, tmp_path):
    d, url = browser, site.url
    d.get(url + "/console/")
    wait(d, lambda d: d.current_url.endswith("/sign-in"), what="the sign-in page, the console's front door")
    shot(d, "01-sign-in")
    sign_in(d, url, "supervisor")
    assert tabs(d)[:3] == ["Analyze", "Calls", "Call"] and "Admin" not in " ".join(tabs(d))
    wait(d, lambda d: cell(d, "vx-calls", "billing_dispute.wav"), what="the analyzed calls")
    shot(d, "02-calls")

    # Analyze: upload a real recording with its call's metadata; its job is followed until done.
    upload = UPLOAD if UPLOAD.is_file() else SAMPLES / "calls" / "lost_card.wav"
    open_tab(d, "Analyze")
    wait(d, lambda d: by_css(d, "#vx-upload input[type=file]"), what="the upload field")
    notes = tmp_path / "notes.txt"
    notes.write_text("minutes of the team meeting, not a recording")
    by_css(d, "#vx-upload input[type=file]")[0].send_keys(f"{upload}\n{notes}")
    wait(d, lambda d: all(p.stem in by_css(d, "#vx-upload")[0].text for p in (upload, notes)),
         what="the files to be uploaded")
    by_css(d, "#vx-agent textarea, #vx-agent input")[0].send_keys("dee")
    by_css(d, "#vx-queue textarea, #vx-queue input")[0].send_keys("korea")
    by_css(d, "#vx-analyze")[0].click()
    job_cell = wait(d, lambda d: cell(d, "vx-jobs", upload.name), what="the upload's job in the table")
    refused = row_of(cell(d, "vx-jobs", notes.name))
    assert by_css(d, f"#vx-jobs [data-testid='cell-{refused}-2'] [data-status=refused]")
    assert "not a readable audio file" in by_css(d, f"#vx-jobs [data-testid='cell-{refused}-3']")[0].text  # and why
    shot(d, "03-analyze-submitted")
    row = row_of(job_cell)
    wait(d, lambda d: by_css(d, f"#vx-jobs [data-testid='cell-{row}-2'] [data-status=done]"), timeout=120,
         what="the job to be done (the table refreshes itself)")
    shot(d, "04-analyze-done")
    recording = site.store.recordings.list(limit=10).items[0]
    assert recording.filename == upload.name and recording.call_metadata == {"agent": "dee", "queue": "korea"}

    # Its call: a tagged transcript; a click on a segment plays the call from there.
    cell(d, "vx-jobs", upload.name).click()
    wait(d, lambda d: by_css(d, "#vx-transcript .vx-seg"), what="the tagged transcript")
    assert upload.name in by_css(d, "#vx-call-header")[0].text
    assert "SYNTHETIC MODEL" in by_css(d, "#vx-call-banner")[0].text  # the tiny test model is synthetic: said on top
    segments = by_css(d, "#vx-transcript .vx-seg")
    assert all(s.get_attribute("data-start") for s in segments) and by_css(d, "#vx-transcript .vx-chip")
    shot(d, "05-call")
    target = segments[-1]
    start = float(target.get_attribute("data-start"))
    target.click()
    wait(d, lambda d: d.execute_script("const p = document.getElementById('vx-player'); "
                                       "return p && !p.paused && p.currentTime >= arguments[0] - 0.05", start),
         what="the player to play from the segment clicked")
    wait(d, lambda d: "vx-playing" in target.get_attribute("class"), what="the segment heard to be outlined")
    shot(d, "06-call-playing")

    # Calls: filtered by emotion.
    open_tab(d, "Calls")
    by_css(d, "#vx-emotion input")[0].click()
    wait(d, lambda d: by_css(d, "li[role=option][aria-label=ANGRY]"), what="the emotion choices")[0].click()
    wait(d, lambda d: cell(d, "vx-calls", "billing_dispute.wav") and not cell(d, "vx-calls", "happy_upgrade.wav"),
         what="the calls with angry speech only")
    angry = httpx.get(url + "/api/v1/recordings", params={"emotion": "ANGRY"},
                      headers={"Authorization": f"Bearer {site.tokens['viewer']}"}).json()
    shown = {c.text.strip() for c in by_css(d, "#vx-calls [data-testid^='cell-'][data-testid$='-1']")}
    assert shown == {r["filename"] for r in angry["items"]}
    shot(d, "07-calls-angry")

    # Words, with the filter: the match is marked; opening it cues the player at the segment.
    by_css(d, "#vx-words textarea, #vx-words input")[0].send_keys("complaint")
    by_css(d, "#vx-find")[0].click()
    wait(d, lambda d: [m.text for m in by_css(d, "#vx-calls .body-cell mark")] == ["complaint"], what="the marked match")
    shot(d, "08-calls-search")
    cell(d, "vx-calls", "billing_dispute.wav").click()
    hit = wait(d, lambda d: by_css(d, "#vx-transcript .vx-seg.vx-hit"), what="the matching segment, shown")[0]
    assert "complaint" in hit.text and re.search(r"grid-column:\s*2\b", hit.get_attribute("style"))  # customer's lane
    wait(d, lambda d: abs(d.execute_script("return document.getElementById('vx-player').currentTime")
                          - float(hit.get_attribute("data-start"))) < 0.05, what="the player cued at the match")
    shot(d, "09-call-from-search")

    # Alerts: a new alert appears without a reload; one is acknowledged with a comment.
    open_tab(d, "Alerts")
    wait(d, lambda d: cell(d, "vx-alerts", "complaint_threat"), what="the open alerts")
    shot(d, "10-alerts")
    _raise_an_alert(site, "escalated_call.wav")
    wait(d, lambda d: cell(d, "vx-alerts", "escalated_call.wav"), timeout=20, what="the new alert, without a reload")
    assert f"Alerts ({site.store.alerts.list('open', limit=1).total} open)" in tabs(d)
    shot(d, "11-alerts-new-arrived")
    cell(d, "vx-alerts", "complaint_threat").click()
    wait(d, lambda d: "complaint_threat" in by_css(d, "#vx-alert-detail")[0].text, what="the alert's detail")
    wait(d, lambda d: by_css(d, "#vx-ack")[0].is_enabled(), what="acknowledge to be offered")
    by_css(d, "#vx-comment textarea")[0].send_keys("Called the customer back; refund under way")
    by_css(d, "#vx-ack")[0].click()
    wait(d, lambda d: "acknowledged" in by_css(d, "#vx-alert-detail")[0].text, what="the alert to be acknowledged")
    [alert] = [a for a in site.store.alerts.list(limit=20).items if a.rule_id == "complaint_threat"]
    alert = site.store.alerts.get(alert.id)
    assert alert.status == "acknowledged"
    assert (alert.history[-1].actor, alert.history[-1].comment) == ("supervisor", "Called the customer back; refund under way")
    shot(d, "12-alert-acknowledged")

    open_tab(d, "Analytics")
    wait(d, lambda d: "calls" in by_css(d, "#vx-tabs")[0].text and by_css(d, ".vega-embed, canvas, svg"),
         what="the plots")
    shot(d, "13-analytics")

    resources = d.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert resources and all(r.startswith(url) for r in resources), "the console must load nothing from elsewhere"

    d.get(url + "/sign-out")
    wait(d, lambda d: "You are signed out" in d.page_source, what="the signed-out page")
    shot(d, "14-signed-out")
    d.get(url + "/console/")
    wait(d, lambda d: d.current_url.endswith("/sign-in"), what="the console to ask for a sign-in again")


def test_each_role_sees_only_its_pages(site, browser):
    d, url = browser, site.url
    for role in ("viewer", "analyst", "admin"):
        sign_in(d, url, role)
        wait(d, lambda d: cell(d, "vx-calls", "billing_dispute.wav"), what="the calls")
        assert [t.split(" (")[0] for t in tabs(d)] == PAGES[role], role
        searching = by_css(d, "#vx-words")
        assert bool(searching and searching[0].is_displayed()) == (role != "viewer")  # words need an analyst
        shot(d, f"20-{role}-calls")
        if role == "admin":
            open_tab(d, "Admin")
            for sub in ("Workers and queue", "Models", "Rules", "Users", "Tokens", "Holds and erasure", "Audit log"):
                [button] = [b for b in by_css(d, "button[role=tab]") if b.text == sub]
                button.click()
                wait(d, lambda d: button.get_attribute("aria-selected") == "true" and idle(d), what=sub)
                if sub == "Models":
                    assert "SYNTHETIC" in by_css(d, "#vx-models")[0].text  # flagged loudly
                shot(d, f"21-admin-{sub.split()[0].lower()}")
        d.get(url + "/sign-out")
        wait(d, lambda d: "You are signed out" in d.page_source, what="the signed-out page")


SPOKEN = "Hello. My card number is 4532 0151 1283 0366. Thank you."


@pytest.fixture(scope="module")
def words_site(served_site, whisper_dir):
    """A site whose worker writes words with the real Whisper base, as a fresh machine's does."""
    return served_site(env={"VOXSIGHT_ENGINE_WORDS": "whisper", "VOXSIGHT_MODELS_WHISPER_DIR": str(whisper_dir)})


def test_a_viewer_reads_and_hears_a_call_with_its_card_number_redacted(words_site, browser, tmp_path):
    import subprocess

    said = tmp_path / "card.wav"
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "140", "-w", str(said), SPOKEN], check=True)
    job = httpx.post(words_site.url + "/api/v1/recordings", files={"file": ("card.wav", said.read_bytes())},
                     headers={"Authorization": f"Bearer {words_site.tokens['analyst']}"}, timeout=120).json()
    wait_done(words_site, job["id"])
    d = browser
    sign_in(d, words_site.url, "viewer")
    wait(d, lambda d: cell(d, "vx-calls", "card.wav"), what="the call").click()
    wait(d, lambda d: by_css(d, "#vx-transcript .vx-seg"), what="its transcript")
    transcript = by_css(d, "#vx-transcript")[0].text
    assert "[CARD]" in transcript and not re.search(r"4532|0151|1283|0366", transcript), transcript
    # The player plays the redacted copy: Voxsight's FLAC, the whole call long.
    wait(d, lambda d: d.execute_script("const p = document.getElementById('vx-player'); "
                                       "return p && p.readyState >= 1 && p.duration > 0"), what="the player to load")
    duration = d.execute_script("return document.getElementById('vx-player').duration")
    assert abs(duration - site_duration(words_site, job["recording"]["id"])) < 0.1
    kind = d.execute_script("return fetch(document.getElementById('vx-player').src, {headers: {Range: 'bytes=0-3'}})"
                            ".then(r => r.headers.get('content-type'))")
    assert kind == "audio/flac"
    shot(d, "30-call-redacted")
    assert not re.search(r"4532|0151|1283|0366", words_site.log.read_text())  # nor the server's log


def site_duration(site, recording_id: int) -> float:
    return site.store.recordings.get(recording_id).duration_s


def _raise_an_alert(site, name: str) -> None:
    """A call analyzed elsewhere (another worker, another console) whose customer is angry: its alert
    lands in the store, which is all the console may learn it from."""
    config = Config().with_overrides(alerts={"rules_file": str(site.rules_file)})
    segments = (Segment(0.5, 3.0, 0, "agent", "en", "NEUTRAL", (), "how can I help", ""),
                Segment(3.5, 9.5, 1, "customer", "en", "ANGRY", (), "this is unacceptable", ""))
    result = AnalysisResult(RecordingInfo(hashlib.sha256(name.encode()).hexdigest(), name, "wav", 10.0, 16000, 2),
                            "test-model", True, {}, segments)
    stored = site.store.save(result, "key", 1000, {"agent": "ann"})
    assert Alerting(config.alerts, site.store).evaluate(stored.analysis_id, stored.segments).opened >= 1
