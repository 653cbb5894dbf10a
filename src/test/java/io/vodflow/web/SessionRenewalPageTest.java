package io.vodflow.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.vodflow.testing.Users;
import io.vodflow.testing.VideoApi;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * A page left open past its access token's lifetime: the page renews the token with the provider's
 * refresh token rather than asking its user to sign in again, until the provider refuses.
 */
@QuarkusTest
class SessionRenewalPageTest extends InBrowser {

    private static final String TOKEN = "vodflow.signin.token";
    private static final String REFRESH = "vodflow.signin.refresh";

    @BeforeEach
    void signIn() {
        browser.openSignedIn(page, Users.USER);
        browser.await(WebPageTest.SHORT)
                .until(ExpectedConditions.textToBe(By.id("drop-hint"), "Video files up to 10 GiB"));
        assertThat(stored(REFRESH)).as("the provider's refresh token").isNotBlank();
    }

    @Test
    void anExpiredAccessTokenIsRenewedAndTheNextCallGoesThrough() {
        String refresh = stored(REFRESH);
        String expired = expireAccessToken();
        String id = VideoApi.create("renewed-session.mp4", "video/mp4", 1024).getString("id");

        browser.find("#refresh").click();

        browser.await(WebPageTest.SHORT)
                .until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#recent li[data-id='" + id + "']")));
        assertThat(browser.find("#sign-in-card").isDisplayed()).isFalse();
        assertThat(stored(TOKEN)).isNotEqualTo(expired);
        assertThat(secondsLeft()).as("the renewed token's lifetime").isGreaterThan(60);
        assertThat(stored(REFRESH)).as("the provider rotates refresh tokens").isNotEqualTo(refresh);
    }

    @Test
    void aPageOpenedAgainWithAnExpiredAccessTokenStaysSignedIn() {
        expireAccessToken();

        browser.driver.navigate().refresh();

        browser.await(WebPageTest.SHORT)
                .until(ExpectedConditions.textToBe(By.id("signed-in-as"), "Signed in as " + Users.USER));
        assertThat(browser.find("#sign-in-card").isDisplayed()).isFalse();
        assertThat(secondsLeft()).isGreaterThan(60);
    }

    @Test
    void aRefreshTokenTheProviderRefusesEndsTheSession() {
        expireAccessToken();
        // The embedded provider, made for dev mode, honours any refresh token but fails an empty one.
        browser.script("sessionStorage.setItem(arguments[0], '')", REFRESH);

        browser.find("#refresh").click();

        browser.await(WebPageTest.SHORT).until(ExpectedConditions.visibilityOfElementLocated(By.id("sign-in-card")));
        assertThat(browser.find("#sign-in-error").getText()).isEqualTo("Your session ended; please sign in again.");

        browser.driver.navigate().refresh();

        browser.await(WebPageTest.SHORT).until(ExpectedConditions.visibilityOfElementLocated(By.id("sign-in-card")));
        assertThat(browser.find("#signed-in-as").isDisplayed()).isFalse();
    }

    /**
     * Rewrites the stored access token's expiry to a minute ago, as the page reads it. Its signature no
     * longer matches, so the service refuses it if the page sends it.
     */
    private String expireAccessToken() {
        return browser.script(
                "const [header, payload, signature] = sessionStorage.getItem(arguments[0]).split('.');"
                        + "const claims = JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/')));"
                        + "claims.exp = Math.floor(Date.now() / 1000) - 60;"
                        + "const expired = [header, btoa(JSON.stringify(claims)).replace(/=+$/, ''), signature].join('.');"
                        + "sessionStorage.setItem(arguments[0], expired);"
                        + "return expired;",
                TOKEN);
    }

    private long secondsLeft() {
        return browser.<Number>script(
                        "const part = sessionStorage.getItem(arguments[0]).split('.')[1];"
                                + "return JSON.parse(atob(part.replace(/-/g, '+').replace(/_/g, '/'))).exp"
                                + " - Date.now() / 1000;",
                        TOKEN)
                .longValue();
    }

    private String stored(String name) {
        return browser.script("return sessionStorage.getItem(arguments[0])", name);
    }
}
