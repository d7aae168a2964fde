package dev.airlock.proxy.admin;

import dev.airlock.policy.AdminToken;
import dev.airlock.policy.AnalysisLookup;
import dev.airlock.policy.PolicyAdmin;
import dev.airlock.proxy.http.HttpExchange;
import dev.airlock.proxy.http.Route;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API under {@code /api/v1/}: JSON in and out, {@code Authorization: Bearer <token>}
 * on every request. Work runs on a small pool of its own: store scans and feed imports must not
 * stall the event loop that serves installs. The routes are the table below, one handler class
 * per concern; docs/admin.md describes each.
 *
 * <pre>
 * GET    /api/v1/versions?state=&amp;ecosystem=&amp;reason=&amp;rule=&amp;name=&amp;olderThan=&amp;newerThan=&amp;sort=&amp;offset=&amp;limit=
 * POST   /api/v1/bulk                                         {"action","where","reason","expect"?,"dryRun"?}
 * GET    /api/v1/packages/{eco}/{name}
 * GET    /api/v1/packages/{eco}/{name}/{version}
 * POST   /api/v1/packages/{eco}/{name}[/{version}]/override   {"action","reason","expires"?}
 * DELETE /api/v1/packages/{eco}/{name}[/{version}]/override   (?reason= optional)
 * POST   /api/v1/packages/{eco}/{name}/{version}/reanalyze    {"reason"}
 * GET    /api/v1/packages/{eco}/{name}/{version}/downloads
 * GET    /api/v1/audit?target=&amp;actor=&amp;action=&amp;since=&amp;until=&amp;before=&amp;limit=   newest first, paged by next
 * POST   /api/v1/feeds/osv                                    OSV JSON, JSON array or zip
 * GET    /api/v1/status
 * GET    /api/v1/overview?range=6h|24h|7d|30d
 * </pre>
 * Scoped npm names are accepted as {@code @scope%2fname} or {@code @scope/name}.
 */
public final class AdminApi implements Route, AutoCloseable {
    public static final String PREFIX = "/api/v1/";
    private static final Logger LOG = LoggerFactory.getLogger(AdminApi.class);

    private final AdminToken token;
    private final AdminRouteTable routes;
    private final ExecutorService pool;

    public AdminApi(PolicyAdmin admin, AdminToken token, AnalysisLookup analyses) {
        this(admin, token, analyses, Map::of);
    }

    /** @param extraStatus more numbers for {@code GET /api/v1/status} (cache sizes, uptime); must be cheap */
    public AdminApi(PolicyAdmin admin, AdminToken token, AnalysisLookup analyses, Supplier<Map<String, Object>> extraStatus) {
        this.token = token;
        PackageViews views = new PackageViews(admin, analyses == null ? AnalysisLookup.none() : analyses);
        OverrideHandler overrides = new OverrideHandler(admin, views);
        ReviewHandler review = new ReviewHandler(admin, views);
        AuditHandler audit = new AuditHandler(admin);
        FeedHandler feeds = new FeedHandler(admin);
        OverviewHandler overview = new OverviewHandler(admin, extraStatus == null ? Map::of : extraStatus);
        this.routes = new AdminRouteTable(List.of(
                new AdminRoute(HttpMethod.GET, "versions", review::versions),
                new AdminRoute(HttpMethod.POST, "bulk", review::bulk),
                new AdminRoute(HttpMethod.GET, "packages/{package}", views::packageView),
                new AdminRoute(HttpMethod.POST, "packages/{package}/override", overrides::set),
                new AdminRoute(HttpMethod.DELETE, "packages/{package}/override", overrides::remove),
                new AdminRoute(HttpMethod.GET, "packages/{package}/{version}", views::versionView),
                new AdminRoute(HttpMethod.POST, "packages/{package}/{version}/override", overrides::set),
                new AdminRoute(HttpMethod.DELETE, "packages/{package}/{version}/override", overrides::remove),
                new AdminRoute(HttpMethod.POST, "packages/{package}/{version}/reanalyze", review::reanalyze),
                new AdminRoute(HttpMethod.GET, "packages/{package}/{version}/downloads", views::downloads),
                new AdminRoute(HttpMethod.GET, "audit", audit::audit),
                new AdminRoute(HttpMethod.POST, "feeds/osv", feeds::importOsv),
                new AdminRoute(HttpMethod.GET, "status", overview::status),
                new AdminRoute(HttpMethod.GET, "overview", overview::overview)));
        this.pool = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "admin-api");
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public String prefix() {
        return PREFIX;
    }

    @Override
    public void handle(HttpExchange ex) {
        if (!token.matchesAuthorization(ex.header(HttpHeaderNames.AUTHORIZATION))) {
            HttpHeaders h = new DefaultHttpHeaders().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"airlock\"");
            byte[] body = "{\"error\":\"missing or wrong admin token (Authorization: Bearer <token>)\"}"
                    .getBytes(StandardCharsets.UTF_8);
            ex.respond(HttpResponseStatus.UNAUTHORIZED, "application/json", body, h);
            return;
        }
        try {
            pool.execute(() -> dispatch(ex));
        } catch (RejectedExecutionException e) {
            ex.respondError(HttpResponseStatus.SERVICE_UNAVAILABLE, "admin API is shutting down");
        }
    }

    private void dispatch(HttpExchange ex) {
        try {
            routes.resolve(ex, PREFIX, token.identity()).run();
        } catch (ApiProblem e) {
            ex.respondError(e.status(), e.getMessage());
        } catch (dev.airlock.policy.store.StoreUnavailableException e) {
            // Nothing was written, and it is the disk or the shared database, not the request: say so, and that a retry can work.
            LOG.warn("admin API refused {} {}: {}", ex.method(), ex.rawPath(), e.getMessage());
            ex.respondError(HttpResponseStatus.SERVICE_UNAVAILABLE, e.getMessage());
        } catch (IllegalArgumentException e) {
            ex.respondError(HttpResponseStatus.BAD_REQUEST, e.getMessage());
        } catch (Exception e) {
            LOG.warn("admin API failed on {} {}", ex.method(), ex.rawPath(), e);
            ex.respondError(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal error: " + e.getClass().getSimpleName());
        }
    }

    @Override
    public void close() {
        pool.shutdown();
    }
}
