package io.vodflow.video;

import io.vodflow.security.LinkSigner;
import jakarta.ws.rs.NameBinding;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks an endpoint whose {@code {id}} must name a video the caller may reach before it runs: one
 * they own (or any, for an administrator), or the one named by the signed {@code access} link they
 * present, made for {@link #value}. For streaming endpoints, whose response has started by the time
 * their stream could fail, this is the only way to answer with a 401, 403 or 404 problem.
 */
@NameBinding
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface ReachableVideo {
    /** What the endpoint's signed links are made for. */
    LinkSigner.Purpose value();
}
