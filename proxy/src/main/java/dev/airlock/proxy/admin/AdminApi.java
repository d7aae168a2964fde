package dev.airlock.proxy.admin;

import dev.airlock.policy.AdminToken;
import dev.airlock.policy.AnalysisLookup;
import dev.airlock.policy.PolicyAdmin;
import dev.airlock.proxy.http.HttpExchange;
import dev.airlock.proxy.http.Route;
import io.netty.handler.codec.http.HttpMethod;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The admin API under {@code /api/v1/}: JSON in and out, {@code Authorization: Bearer <token>}
 * on every request, work on a pool of its own ({@link AdminDispatch}). The routes are the table
 * below, one handler class per concern; docs/admin.md describes each.
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

    private final AdminToken token;
    private final AdminRouteTable routes;
    private final AdminDispatch dispatch;

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
        this.dispatch = new AdminDispatch(token, "admin-api", 2);
    }

    @Override
    public String prefix() {
        return PREFIX;
    }

    @Override
    public void handle(HttpExchange ex) {
        dispatch.handle(ex, e -> routes.resolve(e, PREFIX, token.identity()).run());
    }

    @Override
    public void close() {
        dispatch.close();
    }
}
