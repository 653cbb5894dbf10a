package io.vodflow.testing;

import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Signed-in callers for tests: bearer tokens of the embedded OpenID Connect provider's users, got
 * with the password grant over HTTP, as {@code scripts/dev-token.sh} gets them. {@link #given()}
 * stands in for RestAssured's, as the plain user {@link #USER}.
 */
public final class Users {

    /** The administrator. */
    public static final String ADMIN = "alice";
    /** A plain user, whom tests act as unless they say otherwise. */
    public static final String USER = "bob";
    /** Another plain user. */
    public static final String OTHER = "carol";

    /** Tokens live an hour; a test run is shorter, but a token is fetched again well before. */
    private static final Duration REUSE = Duration.ofMinutes(30);

    private record Token(String value, Instant fetched) {}

    private static final Map<String, Token> TOKENS = new ConcurrentHashMap<>();

    private Users() {}

    /** A request as the plain user {@link #USER}. */
    public static RequestSpecification given() {
        return as(USER);
    }

    public static RequestSpecification as(String user) {
        return RestAssured.given().auth().oauth2(token(user));
    }

    /** A bearer token of {@code user}, issued by the embedded provider. */
    public static String token(String user) {
        return TOKENS.compute(
                        user,
                        (name, token) ->
                                token == null || token.fetched().plus(REUSE).isBefore(Instant.now())
                                        ? new Token(fetch(name, "vodflow"), Instant.now())
                                        : token)
                .value();
    }

    /**
     * The provider's issuer URL, as the application under test tells its web page: the same for a
     * test application and for the packaged one.
     */
    public static String issuer() {
        return RestAssured.get("/auth/config").then().statusCode(200).extract().path("issuer");
    }

    /**
     * A fresh token of {@code user} that expires at {@code expires}, from the provider's sign-in page
     * (which lets a dev user set claims), through the authorization code flow.
     */
    public static String tokenExpiringAt(String user, Instant expires) {
        String redirect = "http://localhost/signed-in";
        String authorize = issuer() + "/authorize?client_id=vodflow&response_type=code&scope=openid&state=s"
                + "&redirect_uri=" + redirect;
        RestAssured.get(authorize).then().statusCode(200);
        String location = RestAssured.given()
                .redirects()
                .follow(false)
                .formParam("username", user)
                .formParam("claims", "{\"exp\":" + expires.getEpochSecond() + "}")
                .post(authorize)
                .then()
                .statusCode(302)
                .extract()
                .header("Location");
        String code = location.replaceAll(".*[?&]code=([^&]+).*", "$1");
        return RestAssured.given()
                .formParam("grant_type", "authorization_code")
                .formParam("code", code)
                .formParam("redirect_uri", redirect)
                .formParam("client_id", "vodflow")
                .post(issuer() + "/token")
                .then()
                .statusCode(200)
                .extract()
                .path("access_token");
    }

    /** A valid token of {@code user} that the embedded provider issued to another application. */
    public static String tokenIssuedTo(String user, String client) {
        return fetch(user, client);
    }

    private static String fetch(String user, String client) {
        JsonPath answer = RestAssured.given()
                .formParam("grant_type", "password")
                .formParam("username", user)
                .formParam("password", "any")
                .formParam("client_id", client)
                .formParam("scope", "openid")
                .post(issuer() + "/token")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        return answer.getString("access_token");
    }
}
