package io.vodflow.web;

import static io.vodflow.testing.Users.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vodflow.testing.Users;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

/** With a 1 MiB limit, the page says a larger file is too large, before anything is created. */
@QuarkusTest
@TestProfile(WebPageTooLargeTest.OneMebibyteLimit.class)
class WebPageTooLargeTest extends InBrowser {

    public static class OneMebibyteLimit implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("vodflow.upload.max-size", "1M");
        }
    }

    @Test
    void aFileOverTheLimitIsTurnedAwayWithBothSizes(@TempDir Path dir) throws IOException {
        Path big = Files.write(dir.resolve("big.mp4"), new byte[2 * 1024 * 1024]);
        int videosBefore = videoCount();
        browser.openSignedIn(page, Users.USER);
        browser.await(WebPageTest.SHORT)
                .until(ExpectedConditions.textToBe(By.id("drop-hint"), "Video files up to 1 MiB"));

        browser.find("#file").sendKeys(big.toAbsolutePath().toString());

        WebElement message =
                browser.await(WebPageTest.SHORT).until(ExpectedConditions.visibilityOfElementLocated(By.id("message")));
        assertThat(message.getText())
                .isEqualTo("\"big.mp4\" is too large: it is 2 MiB, and the largest file accepted is 1 MiB.");
        assertThat(browser.find("#video").isDisplayed()).isFalse();
        assertThat(videoCount()).isEqualTo(videosBefore);
        assertThat(browser.consoleErrors()).isEmpty();
    }

    private static int videoCount() {
        return given().get("/videos?limit=100")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("items")
                .size();
    }
}
