package dev.airlock.proxy.admin;

import dev.airlock.model.Ecosystem;
import dev.airlock.model.PackageCoordinate;
import dev.airlock.model.PackageId;
import dev.airlock.proxy.http.HttpExchange;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Matches a request to a row of the admin API's route table: the path becomes a shape such as
 * {@code packages/{package}/{version}/override}, then the row with that shape and method answers.
 * An unknown shape is a 404, a known shape with another method a 405 naming the allowed ones.
 */
final class AdminRouteTable {
    /** Version sub-resources; anything else after a version is unknown. */
    private static final Set<String> VERSION_ACTIONS = Set.of("override", "downloads", "reanalyze");

    private final List<AdminRoute> routes;

    AdminRouteTable(List<AdminRoute> routes) {
        this.routes = List.copyOf(routes);
    }

    /** The handler of this request with the request it is given; throws an {@link ApiProblem} when none fits. */
    Runnable resolve(HttpExchange ex, String prefix, String identity) {
        List<String> seg = segments(ex.rawPath().substring(prefix.length()));
        if (seg.isEmpty()) {
            throw ApiProblem.notFound("no such endpoint: " + ex.rawPath());
        }
        PackageId id = null;
        PackageCoordinate version = null;
        String shape;
        if (seg.get(0).equals("packages")) {
            if (seg.size() < 3) {
                throw ApiProblem.notFound("expected /api/v1/packages/{ecosystem}/{name}[/{version}]");
            }
            Ecosystem eco = Ecosystem.parse(seg.get(1));
            int next = 3;
            String name = seg.get(2);
            if (eco == Ecosystem.NPM && name.startsWith("@") && !name.contains("/")) {
                if (seg.size() < 4) {
                    throw ApiProblem.badRequest("scoped npm name '" + name
                            + "' has no package part (use @scope%2fname or @scope/name)");
                }
                name = name + "/" + seg.get(3);
                next = 4;
            }
            id = new PackageId(eco, name);
            List<String> rest = seg.subList(next, seg.size());
            if (rest.isEmpty()) {
                shape = "packages/{package}";
            } else if (rest.size() == 1 && rest.get(0).equals("override")) {
                shape = "packages/{package}/override";
            } else if (rest.size() == 1) {
                version = id.version(rest.get(0));
                shape = "packages/{package}/{version}";
            } else if (rest.size() == 2 && VERSION_ACTIONS.contains(rest.get(1))) {
                version = id.version(rest.get(0));
                shape = "packages/{package}/{version}/" + rest.get(1);
            } else {
                throw ApiProblem.notFound("no such endpoint: " + ex.rawPath());
            }
        } else {
            shape = String.join("/", seg);
        }
        List<AdminRoute> sameShape = new ArrayList<>();
        for (AdminRoute r : routes) {
            if (r.shape().equals(shape)) {
                sameShape.add(r);
            }
        }
        if (sameShape.isEmpty()) {
            throw ApiProblem.notFound("no such endpoint: " + ex.rawPath());
        }
        HttpMethod m = ex.method();
        for (AdminRoute r : sameShape) {
            if (r.method().equals(m) || (r.method().equals(HttpMethod.GET) && m.equals(HttpMethod.HEAD))) {
                AdminRequest req = new AdminRequest(ex, id, version, identity);
                return () -> {
                    try {
                        r.handler().handle(req);
                    } catch (RuntimeException e) {
                        throw e;
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                };
            }
        }
        throw ApiProblem.methodNotAllowed(m + " not allowed here ("
                + sameShape.stream().map(r -> r.method().name()).collect(Collectors.joining(" or ")) + ")");
    }

    /** Path segments, percent-decoded one by one so that {@code %2f} inside a scoped name survives the split. */
    static List<String> segments(String rawPath) {
        List<String> out = new ArrayList<>();
        for (String s : rawPath.split("/")) {
            if (!s.isEmpty()) {
                for (String part : QueryStringDecoder.decodeComponent(s, StandardCharsets.UTF_8).split("/")) {
                    if (!part.isEmpty()) {
                        out.add(part);
                    }
                }
            }
        }
        // "@scope%2fname" became "@scope", "name": the packages route joins a leading scope with its name.
        return out;
    }
}
