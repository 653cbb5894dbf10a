package io.vodflow.security;

/**
 * Who calls the API: the subject of their token, which owns the videos they create, and whether
 * they hold the administrator role, which reaches every video.
 */
public record Caller(String subject, boolean admin) {

    /** Everyone, when sign-in is turned off ({@code vodflow.auth.enabled=false}). */
    public static final Caller ANONYMOUS = new Caller("anonymous", true);

    /** Whether this caller may see and change a video of {@code owner}. */
    public boolean reaches(String owner) {
        return admin || subject.equals(owner);
    }
}
