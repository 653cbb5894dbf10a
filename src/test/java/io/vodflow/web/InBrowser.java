package io.vodflow.web;

import io.quarkus.test.common.http.TestHTTPResource;
import java.net.URI;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** A test of the page at {@link #page} in a real browser, started for each test and closed after it. */
abstract class InBrowser {

    @TestHTTPResource("/")
    URI page;

    Browser browser;

    @BeforeEach
    void startBrowser() {
        browser = Browser.start();
    }

    @AfterEach
    void closeBrowser() {
        if (browser != null) { // null when the browser could not start
            browser.close();
            browser = null;
        }
    }
}
