package io.vodflow.video;

import jakarta.ws.rs.NameBinding;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks an endpoint whose {@code {id}} must name an existing video before it runs: for streaming
 * endpoints, whose response has started by the time their stream could fail, this is the only way
 * to answer an unknown id with a 404 problem.
 */
@NameBinding
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface ExistingVideo {}
