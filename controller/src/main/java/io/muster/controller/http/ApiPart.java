package io.muster.controller.http;

/**
 * A part of the controller that serves HTTP: it declares its routes, each with its rule, on the
 * {@link Routes} it is given. The controller mounts every part from one list.
 */
public interface ApiPart {

    void routes(Routes routes);
}
