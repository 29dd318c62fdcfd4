/*
 * Pusip: compatibility module for the Elasticsearch "integ-test-zip" distribution.
 *
 * The only Elasticsearch 8 distribution published to Maven Central is the integ-test-zip, a
 * stripped-down node without the analysis-common, reindex and rest-root modules. This module adds
 * back what Pusip's search backend and tests use, built from Lucene's own analysis components (the
 * same classes the real modules wrap) and the node's internal client:
 *
 *   analysis:  analyzers indonesian, english; tokenizers pattern, simple_pattern(_split), whitespace,
 *              keyword, letter, classic, uax_url_email, edge_ngram, ngram, path_hierarchy; token
 *              filters lowercase, uppercase, asciifolding, length, stemmer, snowball, porter_stem,
 *              kstem, edge_ngram, ngram, trim, truncate, unique, remove_duplicates, reverse, elision,
 *              keyword_marker, keep, pattern_replace, pattern_capture, word_delimiter(_graph),
 *              decimal_digit, classic, apostrophe, fingerprint, limit, flatten_graph, synonym,
 *              synonym_graph; char filters html_strip, mapping, pattern_replace.
 *   REST:      GET/HEAD / (node info), POST /{index}/_delete_by_query, POST /_reindex (local,
 *              synchronous, scroll + bulk; no scripts, no slicing, no remote source).
 *
 * It is for development and tests only; the docker-compose deployment runs the full Elasticsearch
 * image, where the real modules provide all of this.
 */
package id.pusip.es;

import org.elasticsearch.cluster.metadata.IndexNameExpressionResolver;
import org.elasticsearch.cluster.node.DiscoveryNodes;
import org.elasticsearch.cluster.service.ClusterService;
import org.elasticsearch.common.io.stream.NamedWriteableRegistry;
import org.elasticsearch.common.settings.ClusterSettings;
import org.elasticsearch.common.settings.IndexScopedSettings;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.common.settings.SettingsFilter;
import org.elasticsearch.features.NodeFeature;
import org.elasticsearch.plugins.ActionPlugin;
import org.elasticsearch.plugins.AnalysisPlugin;
import org.elasticsearch.plugins.Plugin;
import org.elasticsearch.rest.RestController;
import org.elasticsearch.rest.RestHandler;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.function.Supplier;

public class PusipCompatPlugin extends Plugin implements AnalysisPlugin, ActionPlugin {

    private final AtomicReference<ClusterService> clusterService = new AtomicReference<>();

    @Override
    public Collection<?> createComponents(PluginServices services) {
        clusterService.set(services.clusterService());
        return List.of();
    }

    @Override
    public java.util.Map<String, org.elasticsearch.indices.analysis.AnalysisModule.AnalysisProvider<
        org.elasticsearch.index.analysis.AnalyzerProvider<? extends org.apache.lucene.analysis.Analyzer>>> getAnalyzers() {
        return Analysis.analyzers();
    }

    @Override
    public java.util.Map<String, org.elasticsearch.indices.analysis.AnalysisModule.AnalysisProvider<
        org.elasticsearch.index.analysis.TokenizerFactory>> getTokenizers() {
        return Analysis.tokenizers();
    }

    @Override
    public java.util.Map<String, org.elasticsearch.indices.analysis.AnalysisModule.AnalysisProvider<
        org.elasticsearch.index.analysis.TokenFilterFactory>> getTokenFilters() {
        return Analysis.tokenFilters();
    }

    @Override
    public java.util.Map<String, org.elasticsearch.indices.analysis.AnalysisModule.AnalysisProvider<
        org.elasticsearch.index.analysis.CharFilterFactory>> getCharFilters() {
        return Analysis.charFilters();
    }

    @Override
    public Collection<RestHandler> getRestHandlers(
        Settings settings,
        NamedWriteableRegistry namedWriteableRegistry,
        RestController restController,
        ClusterSettings clusterSettings,
        IndexScopedSettings indexScopedSettings,
        SettingsFilter settingsFilter,
        IndexNameExpressionResolver indexNameExpressionResolver,
        Supplier<DiscoveryNodes> nodesInCluster,
        Predicate<NodeFeature> clusterSupportsFeature
    ) {
        return List.of(new RootHandler(clusterService::get), new ByScrollHandlers.DeleteByQuery(), new ByScrollHandlers.Reindex());
    }
}
