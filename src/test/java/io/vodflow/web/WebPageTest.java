package io.vodflow.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.vodflow.media.FfmpegTools;
import io.vodflow.testing.TestMedia;
import io.vodflow.testing.TestResources;
import io.vodflow.testing.Users;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;

/** The page at / in a real browser: upload, live status, playback, and the mistakes people make. */
@QuarkusTest
class WebPageTest extends InBrowser {

    static final Duration SHORT = Duration.ofSeconds(15);
    static final Duration TRANSCODE = Duration.ofSeconds(120);
    private static final Set<String> TERMINAL = Set.of("COMPLETE", "ERROR", "CANCELED");
    private static final long MIB = 1024 * 1024;

    @Inject
    FfmpegTools ffmpeg;

    @Test
    void anUploadedVideoIsFollowedLiveUntilItPlaysWithThumbnails() throws IOException {
        openPage("Video files up to 10 GiB");
        browser.find("#title").sendKeys("Sample clip");

        choose(TestResources.media("h264_aac_320x240_main.mp4"));

        awaitOutcome("COMPLETE", "Complete");
        assertThat(browser.find("#video-heading").getText()).isEqualTo("Sample clip");
        assertThat(browser.find("#video-meta").getText()).contains("h264_aac_320x240_main.mp4", "320×240");
        assertThat(browser.texts("#quality option")).hasSize(2).first().isEqualTo("Auto");
        assertThat(browser.texts("#quality option").get(1)).startsWith("240p");
        assertPlays();
        new Select(browser.find("#quality")).selectByIndex(1);
        assertPlays();
        browser.await(SHORT)
                .until(
                        driver -> browser.<Boolean>script(
                                "const images = [...document.querySelectorAll('#thumbnails img')];"
                                        + "return images.length > 0 && images.every(image => image.complete && image.naturalWidth > 0);"));
        assertThat(browser.find("#recent li").getText()).contains("Sample clip", "Complete");

        browser.driver.manage().window().setSize(new Dimension(1280, 1600));
        screenshot("web-page.png");
        assertThat(browser.consoleErrors()).isEmpty();
    }

    @Test
    void aLargeFileGoesUpInParallelPartsWithSpeedAndTimeLeftThroughABusyMoment() throws IOException {
        // Three 5 MiB parts in six seconds; 480p gives two renditions.
        Path large = TestMedia.constant16Mbits(ffmpeg, "large.mp4", "854x480", 6);
        assertThat(large.toFile().length())
                .as("over the multipart threshold of the tests")
                .isGreaterThan(10 * MIB);
        // Chromium plays HLS itself; hiding that covers hls.js, which Firefox and older browsers use.
        browser.withoutNativeHls();
        openPage("Video files up to 10 GiB");
        browser.throttleUploads(3 * MIB);
        browser.script("window.statsSeen = [];"
                + "const stats = document.getElementById('upload-stats');"
                + "new MutationObserver(() => statsSeen.push(stats.textContent))"
                + ".observe(stats, {childList: true, characterData: true, subtree: true});");
        // The first completion is answered 503, as the service answers while storage is busy.
        browser.script("window.completions = 0; const send = window.fetch;"
                + "window.fetch = (url, init) => String(url).includes('/upload/complete') && window.completions++ === 0"
                + " ? Promise.resolve(new Response(JSON.stringify({status: 503, detail: 'Storage is busy'}),"
                + " {status: 503, headers: {'Content-Type': 'application/problem+json'}}))"
                + " : send(url, init);");

        choose(large);

        browser.await(SHORT).until(ExpectedConditions.textMatches(By.id("upload-stats"), Pattern.compile("left$")));
        screenshot("web-page-uploading.png");
        choose(TestResources.media("h264_aac_320x240_main.mp4"));
        assertThat(browser.find("#message").getText())
                .isEqualTo("One upload at a time: \"h264_aac_320x240_main.mp4\" can go up once this one is done.");
        awaitOutcome("COMPLETE", "Complete");
        assertThat(browser.<Long>script("return window.completions"))
                .as("completed on the second try")
                .isEqualTo(2L);
        assertThat(browser.find("#message").getText()).doesNotContain("failed");
        List<String> statsSeen = browser.script("return window.statsSeen");
        assertThat(statsSeen).anySatisfy(text -> assertThat(text)
                .matches("[\\d.]+ (bytes|KiB|MiB) of \\d+(\\.\\d)? MiB · [\\d.]+ (KiB|MiB)/s · about \\d.* left"));
        assertThat(browser.find("#upload").isDisplayed()).isFalse();
        // Three parts, at least two of them in flight at once.
        assertThat(
                        browser.<Long>script(
                                "return performance.getEntriesByType('resource').filter(e => e.name.includes('partNumber=')).length"))
                .isEqualTo(3L);
        assertThat(browser.<Boolean>script("const parts = performance.getEntriesByType('resource')"
                        + ".filter(e => e.name.includes('partNumber='));"
                        + "return parts.some(a => parts.some(b => a !== b"
                        + " && a.startTime < b.responseEnd && b.startTime < a.responseEnd));"))
                .isTrue();

        List<String> choices = browser.texts("#quality option");
        assertThat(choices).hasSize(3).first().isEqualTo("Auto");
        assertThat(choices).anySatisfy(text -> assertThat(text).startsWith("480p"));
        assertThat(choices).anySatisfy(text -> assertThat(text).startsWith("360p"));
        assertPlays();
        assertThat(browser.<String>script("return document.getElementById('player-video').currentSrc"))
                .as("played from a MediaSource of hls.js")
                .startsWith("blob:");
        String other = videoHeight() == 360 ? "480p" : "360p";
        new Select(browser.find("#quality"))
                .selectByIndex(choices.indexOf(choices.stream()
                        .filter(text -> text.startsWith(other))
                        .findFirst()
                        .orElseThrow()));
        // The clip lasts six seconds, and may end before the other rendition's frames are shown (on a
        // loaded machine): played from its start again, as a person would, the change shows.
        browser.await(SHORT)
                .withMessage(() -> "the picture did not change to " + other + ": " + playerState())
                .until(driver -> {
                    browser.script("const video = document.getElementById('player-video');"
                            + "if (video.ended || video.paused) {"
                            + " video.currentTime = 0; video.muted = true; video.play().catch(() => {}); }");
                    return other.equals(videoHeight() + "p");
                });
        assertPlays();
        assertThat(browser.consoleErrors()).isEmpty();
    }

    @Test
    void aLongVideoPlaysWhileItIsProcessedAndOnToItsEnd() {
        Path clip = TestMedia.testPattern(ffmpeg, 1280, 720, 24, true);
        browser.withoutNativeHls();
        openPage("Video files up to 10 GiB");

        choose(clip);

        // Playable before COMPLETE: the player starts on the growing stream, from its start.
        browser.await(TRANSCODE).until(ExpectedConditions.visibilityOfElementLocated(By.id("player-video")));
        assertThat(browser.find("#video-phase").getText()).startsWith("Playable now");
        browser.script("const video = document.getElementById('player-video');"
                + "video.muted = true; video.playbackRate = 2; video.play().catch(() => {});");
        browser.await(SHORT).until(driver -> currentTime() > 1.0);
        assertThat(browser.find("#video-status").getDomAttribute("data-status"))
                .as("still processing while it plays")
                .isNotEqualTo("COMPLETE");

        // It goes on into the finished video without a reload, and plays to its end.
        awaitOutcome("COMPLETE", "Complete");
        browser.await(TRANSCODE)
                .until(driver -> browser.<Boolean>script("return document.getElementById('player-video').ended"));
        assertThat(currentTime()).isGreaterThan(23.0);
        assertThat(browser.texts("#quality option")).hasSizeGreaterThan(1);
        assertThat(browser.consoleErrors()).isEmpty();
    }

    @Test
    void aFileOfTheWrongTypeIsTurnedAwayBeforeAnythingIsSent(@TempDir Path dir) throws IOException {
        Path notes = Files.writeString(dir.resolve("notes.txt"), "not a video");
        openPage("Video files up to 10 GiB");

        choose(notes);

        WebElement message =
                browser.await(SHORT).until(ExpectedConditions.visibilityOfElementLocated(By.id("message")));
        assertThat(message.getText())
                .isEqualTo("\"notes.txt\" is not a file we can take: only video files are accepted,"
                        + " and this one is text/plain.");
        assertThat(browser.find("#video").isDisplayed()).isFalse();
        assertThat(browser.consoleErrors()).isEmpty();
    }

    @Test
    void aVideoThatCannotBeTranscodedSaysSoAndWhy() {
        openPage("Video files up to 10 GiB");

        choose(TestResources.media("BROKEN_vp9_invalid_bitstream.webm"));

        awaitOutcome("ERROR", "Failed");
        assertThat(browser.find("#video-error").getText())
                .startsWith("Transcoding failed: ")
                .contains("cannot be decoded");
        assertThat(browser.find("#player").isDisplayed()).isFalse();
        assertThat(browser.find("#recent li").getText()).contains("BROKEN_vp9_invalid_bitstream.webm", "Failed");
        assertThat(browser.consoleErrors()).isEmpty();
    }

    @Test
    void theDropZoneOpensThePickerFromTheKeyboardAndEveryControlHasAName() {
        openPage("Video files up to 10 GiB");
        // Counts the picker openings instead of showing a dialog nobody can close.
        browser.script("document.getElementById('file').addEventListener('click', event => {"
                + " window.pickerOpened = (window.pickerOpened || 0) + 1; event.preventDefault(); })");

        browser.find("#title").sendKeys(Keys.TAB);
        WebElement focused = browser.driver.switchTo().activeElement();
        assertThat(focused.getDomAttribute("id")).isEqualTo("drop");
        focused.sendKeys(Keys.ENTER);
        focused.sendKeys(Keys.SPACE);

        assertThat(browser.<Long>script("return window.pickerOpened")).isEqualTo(2L);
        assertThat(browser.<List<String>>script(
                        "return [...document.querySelectorAll('input, select, button, [role=button], video')]"
                                + ".filter(control => !(control.labels?.length || control.getAttribute('aria-label')"
                                + " || control.textContent.trim())).map(control => control.outerHTML)"))
                .as("controls without a label")
                .isEmpty();
        assertThat(browser.find("#live").getDomAttribute("aria-live")).isEqualTo("polite");
        assertThat(browser.consoleErrors()).isEmpty();
    }

    @Test
    void thePageFitsAPhoneScreen() throws IOException {
        browser.driver.executeCdpCommand(
                "Emulation.setDeviceMetricsOverride",
                Map.of("width", 360, "height", 740, "deviceScaleFactor", 2, "mobile", true));
        openPage("Video files up to 10 GiB");

        assertThat(browser.<Boolean>script("return document.documentElement.scrollWidth <= window.innerWidth"))
                .as("no sideways scrolling")
                .isTrue();
        assertThat(browser.find("#drop").getRect().getWidth()).isBetween(300, 360);
        screenshot("web-page-phone.png");
        assertThat(browser.consoleErrors()).isEmpty();
    }

    @Test
    void markupThatGetsIntoThePageRunsNoCode() {
        openPage("Video files up to 10 GiB");

        // As if a title had been written into the page as markup rather than as text.
        browser.script("document.getElementById('video-meta').insertAdjacentHTML('beforeend',"
                + " '<img src=\"/no-such-image\" onerror=\"window.injected = true\">'); return null");

        browser.await(SHORT).until(driver -> browser.consoleErrors().stream()
                .anyMatch(error -> error.contains("Content Security Policy")));
        assertThat(browser.<Object>script("return window.injected ?? null")).isNull();
    }

    private void openPage(String hint) {
        browser.openSignedIn(page, Users.USER);
        // The hint is written from GET /videos/limits: the page is ready to check files.
        browser.await(SHORT).until(ExpectedConditions.textToBe(By.id("drop-hint"), hint));
    }

    private void screenshot(String name) throws IOException {
        Path file = Path.of("target", "screenshots", name);
        Files.createDirectories(file.getParent());
        Files.copy(browser.driver.getScreenshotAs(OutputType.FILE).toPath(), file, StandardCopyOption.REPLACE_EXISTING);
    }

    private void choose(Path file) {
        browser.find("#file").sendKeys(file.toAbsolutePath().normalize().toString());
    }

    private void awaitOutcome(String status, String words) {
        browser.await(TRANSCODE)
                .until(driver -> TERMINAL.contains(
                        String.valueOf(browser.find("#video-status").getDomAttribute("data-status"))));
        assertThat(browser.find("#video-status").getDomAttribute("data-status"))
                .as(browser.find("#video").getText())
                .isEqualTo(status);
        assertThat(browser.find("#video-status").getText()).isEqualTo(words);
    }

    /** Muted, since a browser may refuse to start sound without a gesture; then time must move on by a second. */
    private void assertPlays() {
        browser.await(SHORT).until(ExpectedConditions.visibilityOfElementLocated(By.id("player-video")));
        double start = currentTime();
        // Pressed again while paused, as a person would: the page may load the stream again under a
        // play request (after the browser's own player failed on it), which cancels that request.
        browser.await(SHORT)
                .withMessage(() -> "the player did not play on from " + start + " s: " + playerState())
                .until(driver -> browser.<Number>script("const video = document.getElementById('player-video');"
                                        + "if (video.paused && !video.ended) {"
                                        + " video.muted = true; video.play().catch(() => {}); }"
                                        + "return video.currentTime")
                                .doubleValue()
                        > start + 1.0);
    }

    private String playerState() {
        return browser.script("const video = document.getElementById('player-video');"
                + "return JSON.stringify({src: video.currentSrc, time: video.currentTime, duration: video.duration,"
                + " paused: video.paused, ended: video.ended, readyState: video.readyState, height: video.videoHeight,"
                + " error: video.error && video.error.message})");
    }

    private int videoHeight() {
        return browser.<Number>script("return document.getElementById('player-video').videoHeight")
                .intValue();
    }

    private double currentTime() {
        return browser.<Number>script("return document.getElementById('player-video').currentTime")
                .doubleValue();
    }
}
