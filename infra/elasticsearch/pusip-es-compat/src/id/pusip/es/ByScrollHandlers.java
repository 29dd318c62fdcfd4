package id.pusip.es;

import org.elasticsearch.ExceptionsHelper;
import org.elasticsearch.action.ActionListener;
import org.elasticsearch.action.DocWriteRequest;
import org.elasticsearch.action.DocWriteResponse;
import org.elasticsearch.action.admin.indices.refresh.RefreshRequest;
import org.elasticsearch.action.bulk.BulkItemResponse;
import org.elasticsearch.action.bulk.BulkRequest;
import org.elasticsearch.action.bulk.BulkResponse;
import org.elasticsearch.action.delete.DeleteRequest;
import org.elasticsearch.action.index.IndexRequest;
import org.elasticsearch.action.search.ClearScrollRequest;
import org.elasticsearch.action.search.SearchRequest;
import org.elasticsearch.action.search.SearchResponse;
import org.elasticsearch.action.search.SearchScrollRequest;
import org.elasticsearch.client.internal.node.NodeClient;
import org.elasticsearch.common.Strings;
import org.elasticsearch.common.document.DocumentField;
import org.elasticsearch.core.CheckedConsumer;
import org.elasticsearch.core.TimeValue;
import org.elasticsearch.index.query.QueryBuilder;
import org.elasticsearch.index.query.QueryBuilders;
import org.elasticsearch.rest.BaseRestHandler;
import org.elasticsearch.rest.RestChannel;
import org.elasticsearch.rest.RestRequest;
import org.elasticsearch.rest.RestResponse;
import org.elasticsearch.rest.RestStatus;
import org.elasticsearch.search.SearchHit;
import org.elasticsearch.search.builder.SearchSourceBuilder;
import org.elasticsearch.xcontent.XContentBuilder;
import org.elasticsearch.xcontent.XContentFactory;
import org.elasticsearch.xcontent.XContentParser;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code _delete_by_query} and {@code _reindex} as a scroll over the source plus bulk writes, run on
 * the coordinating node and answered when done (the reindex module's response shape, without
 * tasks, slices, throttling, scripts or remote sources).
 */
final class ByScrollHandlers {

    private ByScrollHandlers() {}

    record Failure(String index, String id, RestStatus status, String type, String reason) {}

    /** The common scroll-and-bulk loop. */
    abstract static class Job {
        final NodeClient client;
        final RestChannel channel;
        final String[] indices;
        final QueryBuilder query;
        final int batchSize;
        final TimeValue keepAlive;
        final long maxDocs;
        final boolean abortOnConflict;
        final boolean refresh;
        final long startNanos = System.nanoTime();

        long total;
        long seen;
        long batches;
        long conflicts;
        long created;
        long updated;
        long deleted;
        String scrollId;
        final List<Failure> failures = new ArrayList<>();

        Job(NodeClient client, RestChannel channel, String[] indices, QueryBuilder query, int batchSize, TimeValue keepAlive,
            long maxDocs, boolean abortOnConflict, boolean refresh) {
            this.client = client;
            this.channel = channel;
            this.indices = indices;
            this.query = query;
            this.batchSize = batchSize;
            this.keepAlive = keepAlive;
            this.maxDocs = maxDocs;
            this.abortOnConflict = abortOnConflict;
            this.refresh = refresh;
        }

        abstract boolean fetchSource();

        abstract DocWriteRequest<?> write(SearchHit hit);

        abstract String[] refreshIndices();

        abstract void counts(XContentBuilder b) throws IOException;

        void counted(BulkItemResponse item) {
            DocWriteResponse r = item.getResponse();
            switch (r.getResult()) {
                case CREATED -> created++;
                case UPDATED -> updated++;
                case DELETED -> deleted++;
                default -> { }
            }
        }

        <T> ActionListener<T> step(CheckedConsumer<T, Exception> next) {
            return ActionListener.wrap(next, this::fail);
        }

        void start() {
            SearchSourceBuilder source = new SearchSourceBuilder().query(query)
                .size(maxDocs >= 0 ? (int) Math.min(batchSize, Math.max(maxDocs, 1)) : batchSize)
                .sort("_doc")
                .seqNoAndPrimaryTerm(true)
                .version(true)
                .trackTotalHits(true)
                .fetchSource(fetchSource());
            SearchRequest request = new SearchRequest(indices).source(source).scroll(keepAlive);
            client.search(request, step(this::onSearch));
        }

        private void onSearch(SearchResponse response) {
            scrollId = response.getScrollId();
            if (batches == 0 && seen == 0) {
                long hits = response.getHits().getTotalHits() == null ? 0 : response.getHits().getTotalHits().value;
                total = maxDocs >= 0 ? Math.min(hits, maxDocs) : hits;
            }
            SearchHit[] hits = response.getHits().getHits();
            long room = maxDocs >= 0 ? maxDocs - seen : Long.MAX_VALUE;
            int take = (int) Math.min(hits.length, room);
            if (take <= 0) {
                finish();
                return;
            }
            BulkRequest bulk = new BulkRequest();
            for (int i = 0; i < take; i++) {
                bulk.add(write(hits[i]));
            }
            seen += take;
            batches++;
            client.bulk(bulk, step(this::onBulk));
        }

        private void onBulk(BulkResponse response) {
            for (BulkItemResponse item : response.getItems()) {
                if (item.isFailed()) {
                    BulkItemResponse.Failure f = item.getFailure();
                    boolean conflict = f.getStatus() == RestStatus.CONFLICT;
                    if (conflict) {
                        conflicts++;
                    }
                    if (conflict == false || abortOnConflict) {
                        Throwable cause = f.getCause();
                        String type = cause == null ? "exception" : org.elasticsearch.ElasticsearchException.getExceptionName(cause);
                        failures.add(new Failure(f.getIndex(), f.getId(), f.getStatus(), type, f.getMessage()));
                    }
                } else {
                    counted(item);
                }
            }
            if (failures.isEmpty() == false || (maxDocs >= 0 && seen >= maxDocs)) {
                finish();
                return;
            }
            client.searchScroll(new SearchScrollRequest(scrollId).scroll(keepAlive), step(this::onSearch));
        }

        private void clearScroll() {
            if (scrollId != null) {
                ClearScrollRequest clear = new ClearScrollRequest();
                clear.addScrollId(scrollId);
                client.clearScroll(clear, ActionListener.noop());
                scrollId = null;
            }
        }

        private void finish() {
            clearScroll();
            if (refresh) {
                client.admin().indices().refresh(new RefreshRequest(refreshIndices()), step(r -> respond()));
            } else {
                try {
                    respond();
                } catch (IOException e) {
                    fail(e);
                }
            }
        }

        private void respond() throws IOException {
            XContentBuilder b = channel.newBuilder();
            b.startObject();
            b.field("took", (System.nanoTime() - startNanos) / 1_000_000);
            b.field("timed_out", false);
            b.field("total", total);
            counts(b);
            b.field("batches", batches);
            b.field("version_conflicts", conflicts);
            b.field("noops", 0);
            b.startObject("retries").field("bulk", 0).field("search", 0).endObject();
            b.field("throttled_millis", 0);
            b.field("requests_per_second", -1.0);
            b.field("throttled_until_millis", 0);
            b.startArray("failures");
            RestStatus status = RestStatus.OK;
            for (Failure f : failures) {
                b.startObject();
                b.field("index", f.index());
                b.field("id", f.id());
                b.startObject("cause").field("type", f.type()).field("reason", f.reason()).endObject();
                b.field("status", f.status().getStatus());
                b.endObject();
                if (f.status().getStatus() > status.getStatus()) {
                    status = f.status();
                }
            }
            b.endArray();
            b.endObject();
            channel.sendResponse(new RestResponse(status, b));
        }

        private void fail(Exception e) {
            clearScroll();
            try {
                channel.sendResponse(new RestResponse(channel, ExceptionsHelper.status(e), e));
            } catch (IOException io) {
                io.addSuppressed(e);
                throw new RuntimeException(io);
            }
        }
    }

    // ------------------------------------------------------------------ request parsing

    @SuppressWarnings("unchecked")
    static Map<String, Object> body(RestRequest request) throws IOException {
        if (request.hasContent() == false) {
            return Map.of();
        }
        try (XContentParser parser = request.contentParser()) {
            return parser.map();
        }
    }

    @SuppressWarnings("unchecked")
    static QueryBuilder query(Object q) throws IOException {
        if (q == null) {
            return QueryBuilders.matchAllQuery();
        }
        if (q instanceof Map<?, ?> m) {
            XContentBuilder b = XContentFactory.jsonBuilder().map((Map<String, Object>) m);
            return QueryBuilders.wrapperQuery(Strings.toString(b));
        }
        throw new IllegalArgumentException("[query] must be an object");
    }

    static String[] indexList(Object value, String what) {
        if (value instanceof String s) {
            return Strings.splitStringByCommaToArray(s);
        }
        if (value instanceof List<?> l && l.isEmpty() == false) {
            return l.stream().map(String::valueOf).toArray(String[]::new);
        }
        throw new IllegalArgumentException("[" + what + "] is required");
    }

    static long maxDocs(RestRequest request, Map<String, Object> body) {
        Object v = body.containsKey("max_docs") ? body.get("max_docs") : body.get("size");
        long fromBody = v == null ? -1 : ((Number) v).longValue();
        return request.hasParam("max_docs") ? Long.parseLong(request.param("max_docs")) : fromBody;
    }

    static boolean abortOnConflict(RestRequest request, Map<String, Object> body) {
        String conflicts = request.param("conflicts", String.valueOf(body.getOrDefault("conflicts", "abort")));
        return switch (conflicts.toLowerCase(Locale.ROOT)) {
            case "abort" -> true;
            case "proceed" -> false;
            default -> throw new IllegalArgumentException("conflicts may only be \"proceed\" or \"abort\" but was [" + conflicts + "]");
        };
    }

    static void common(RestRequest request) {
        // every parameter is read (unknown ones are accepted and ignored, like the slices/throttle knobs)
        request.params().keySet().forEach(request::param);
        if (request.paramAsBoolean("wait_for_completion", true) == false) {
            throw new IllegalArgumentException("wait_for_completion=false is not supported by the pusip-es-compat module");
        }
    }

    static boolean refreshParam(RestRequest request) {
        String r = request.param("refresh");
        return r != null && (r.isEmpty() || r.equals("true") || r.equals("wait_for"));
    }

    static String routing(SearchHit hit) {
        DocumentField f = hit.field("_routing");
        return f == null ? null : String.valueOf((Object) f.getValue());
    }

    // ------------------------------------------------------------------ handlers

    static final class DeleteByQuery extends BaseRestHandler {
        @Override
        public String getName() {
            return "pusip_delete_by_query_action";
        }

        @Override
        public List<Route> routes() {
            return List.of(new Route(RestRequest.Method.POST, "/{index}/_delete_by_query"));
        }

        @Override
        protected RestChannelConsumer prepareRequest(RestRequest request, NodeClient client) throws IOException {
            common(request);
            Map<String, Object> body = body(request);
            String[] indices = Strings.splitStringByCommaToArray(request.param("index"));
            QueryBuilder query = request.hasParam("q")
                ? QueryBuilders.queryStringQuery(request.param("q"))
                : query(body.get("query"));
            int batch = request.paramAsInt("scroll_size", 1000);
            TimeValue keepAlive = TimeValue.parseTimeValue(request.param("scroll", "5m"), "scroll");
            long max = maxDocs(request, body);
            boolean abort = abortOnConflict(request, body);
            boolean refresh = refreshParam(request);
            return channel -> new Job(client, channel, indices, query, batch, keepAlive, max, abort, refresh) {
                @Override
                boolean fetchSource() {
                    return false;
                }

                @Override
                DocWriteRequest<?> write(SearchHit hit) {
                    DeleteRequest d = new DeleteRequest(hit.getIndex(), hit.getId());
                    d.setIfSeqNo(hit.getSeqNo());
                    d.setIfPrimaryTerm(hit.getPrimaryTerm());
                    String r = routing(hit);
                    if (r != null) {
                        d.routing(r);
                    }
                    return d;
                }

                @Override
                String[] refreshIndices() {
                    return indices;
                }

                @Override
                void counts(XContentBuilder b) throws IOException {
                    b.field("deleted", deleted);
                }
            }.start();
        }
    }

    static final class Reindex extends BaseRestHandler {
        @Override
        public String getName() {
            return "pusip_reindex_action";
        }

        @Override
        public List<Route> routes() {
            return List.of(new Route(RestRequest.Method.POST, "/_reindex"));
        }

        @Override
        @SuppressWarnings("unchecked")
        protected RestChannelConsumer prepareRequest(RestRequest request, NodeClient client) throws IOException {
            common(request);
            Map<String, Object> body = body(request);
            if (body.containsKey("script")) {
                throw new IllegalArgumentException("[script] is not supported by the pusip-es-compat module");
            }
            Map<String, Object> source = (Map<String, Object>) body.getOrDefault("source", Map.of());
            Map<String, Object> dest = (Map<String, Object>) body.getOrDefault("dest", Map.of());
            if (source.containsKey("remote")) {
                throw new IllegalArgumentException("[source.remote] is not supported by the pusip-es-compat module");
            }
            String[] indices = indexList(source.get("index"), "source.index");
            Object destIndex = dest.get("index");
            if (destIndex instanceof String == false) {
                throw new IllegalArgumentException("[dest.index] is required");
            }
            String destName = (String) destIndex;
            boolean create = "create".equals(dest.get("op_type"));
            QueryBuilder query = query(source.get("query"));
            int batch = source.get("size") instanceof Number n ? n.intValue() : 1000;
            TimeValue keepAlive = TimeValue.parseTimeValue(request.param("scroll", "5m"), "scroll");
            long max = maxDocs(request, body);
            boolean abort = abortOnConflict(request, body);
            boolean refresh = refreshParam(request);
            return channel -> new Job(client, channel, indices, query, batch, keepAlive, max, abort, refresh) {
                @Override
                boolean fetchSource() {
                    return true;
                }

                @Override
                DocWriteRequest<?> write(SearchHit hit) {
                    IndexRequest r = new IndexRequest(destName).id(hit.getId()).source(hit.getSourceAsMap());
                    if (create) {
                        r.opType(DocWriteRequest.OpType.CREATE);
                    }
                    String routing = routing(hit);
                    if (routing != null) {
                        r.routing(routing);
                    }
                    return r;
                }

                @Override
                String[] refreshIndices() {
                    return new String[] { destName };
                }

                @Override
                void counts(XContentBuilder b) throws IOException {
                    b.field("updated", updated);
                    b.field("created", created);
                    b.field("deleted", deleted);
                }
            }.start();
        }
    }
}
