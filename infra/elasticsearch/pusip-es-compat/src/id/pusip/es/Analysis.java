package id.pusip.es;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.TokenFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.charfilter.HTMLStripCharFilter;
import org.apache.lucene.analysis.charfilter.MappingCharFilter;
import org.apache.lucene.analysis.charfilter.NormalizeCharMap;
import org.apache.lucene.analysis.classic.ClassicFilter;
import org.apache.lucene.analysis.classic.ClassicTokenizer;
import org.apache.lucene.analysis.core.DecimalDigitFilter;
import org.apache.lucene.analysis.core.FlattenGraphFilter;
import org.apache.lucene.analysis.core.KeywordTokenizer;
import org.apache.lucene.analysis.core.LetterTokenizer;
import org.apache.lucene.analysis.core.UpperCaseFilter;
import org.apache.lucene.analysis.core.WhitespaceTokenizer;
import org.apache.lucene.analysis.el.GreekLowerCaseFilter;
import org.apache.lucene.analysis.email.UAX29URLEmailTokenizer;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.analysis.en.EnglishMinimalStemFilter;
import org.apache.lucene.analysis.en.EnglishPossessiveFilter;
import org.apache.lucene.analysis.en.KStemFilter;
import org.apache.lucene.analysis.en.PorterStemFilter;
import org.apache.lucene.analysis.fr.FrenchAnalyzer;
import org.apache.lucene.analysis.ga.IrishLowerCaseFilter;
import org.apache.lucene.analysis.id.IndonesianAnalyzer;
import org.apache.lucene.analysis.id.IndonesianStemFilter;
import org.apache.lucene.analysis.miscellaneous.ASCIIFoldingFilter;
import org.apache.lucene.analysis.miscellaneous.FingerprintFilter;
import org.apache.lucene.analysis.miscellaneous.KeepWordFilter;
import org.apache.lucene.analysis.miscellaneous.LengthFilter;
import org.apache.lucene.analysis.miscellaneous.LimitTokenCountFilter;
import org.apache.lucene.analysis.miscellaneous.PatternKeywordMarkerFilter;
import org.apache.lucene.analysis.miscellaneous.RemoveDuplicatesTokenFilter;
import org.apache.lucene.analysis.miscellaneous.SetKeywordMarkerFilter;
import org.apache.lucene.analysis.miscellaneous.TrimFilter;
import org.apache.lucene.analysis.miscellaneous.TruncateTokenFilter;
import org.apache.lucene.analysis.miscellaneous.WordDelimiterFilter;
import org.apache.lucene.analysis.miscellaneous.WordDelimiterGraphFilter;
import org.apache.lucene.analysis.miscellaneous.WordDelimiterIterator;
import org.apache.lucene.analysis.ngram.EdgeNGramTokenFilter;
import org.apache.lucene.analysis.ngram.EdgeNGramTokenizer;
import org.apache.lucene.analysis.ngram.NGramTokenFilter;
import org.apache.lucene.analysis.ngram.NGramTokenizer;
import org.apache.lucene.analysis.path.PathHierarchyTokenizer;
import org.apache.lucene.analysis.path.ReversePathHierarchyTokenizer;
import org.apache.lucene.analysis.pattern.PatternCaptureGroupTokenFilter;
import org.apache.lucene.analysis.pattern.PatternReplaceCharFilter;
import org.apache.lucene.analysis.pattern.PatternReplaceFilter;
import org.apache.lucene.analysis.pattern.PatternTokenizer;
import org.apache.lucene.analysis.pattern.SimplePatternSplitTokenizer;
import org.apache.lucene.analysis.pattern.SimplePatternTokenizer;
import org.apache.lucene.analysis.reverse.ReverseStringFilter;
import org.apache.lucene.analysis.snowball.SnowballFilter;
import org.apache.lucene.analysis.synonym.SolrSynonymParser;
import org.apache.lucene.analysis.synonym.SynonymFilter;
import org.apache.lucene.analysis.synonym.SynonymGraphFilter;
import org.apache.lucene.analysis.synonym.SynonymMap;
import org.apache.lucene.analysis.tr.TurkishLowerCaseFilter;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.analysis.tokenattributes.PositionIncrementAttribute;
import org.apache.lucene.analysis.util.ElisionFilter;
import org.elasticsearch.common.regex.Regex;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.index.IndexService;
import org.elasticsearch.index.IndexSettings;
import org.elasticsearch.index.analysis.AbstractIndexAnalyzerProvider;
import org.elasticsearch.index.analysis.AnalysisMode;
import org.elasticsearch.index.analysis.AnalyzerProvider;
import org.elasticsearch.index.analysis.CharFilterFactory;
import org.elasticsearch.index.analysis.NormalizingCharFilterFactory;
import org.elasticsearch.index.analysis.NormalizingTokenFilterFactory;
import org.elasticsearch.index.analysis.TokenFilterFactory;
import org.elasticsearch.index.analysis.TokenizerFactory;
import org.elasticsearch.indices.analysis.AnalysisModule.AnalysisProvider;
import org.elasticsearch.plugins.AnalysisPlugin;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.IntPredicate;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Analysis components rebuilt from Lucene, named and configured as in Elasticsearch's analysis-common. */
final class Analysis {

    private Analysis() {}

    // ------------------------------------------------------------------ small factory types

    interface Filter extends Function<TokenStream, TokenStream> {}

    record TF(String name, Filter f) implements TokenFilterFactory {
        @Override
        public TokenStream create(TokenStream ts) {
            return f.apply(ts);
        }
    }

    /** Usable in keyword normalizers (one token in, one token out). */
    record NTF(String name, Filter f, Filter norm) implements NormalizingTokenFilterFactory {
        @Override
        public TokenStream create(TokenStream ts) {
            return f.apply(ts);
        }

        @Override
        public TokenStream normalize(TokenStream ts) {
            return norm.apply(ts);
        }
    }

    record TK(String name, Supplier<Tokenizer> s) implements TokenizerFactory {
        @Override
        public Tokenizer create() {
            return s.get();
        }
    }

    record CF(String name, Function<Reader, Reader> f) implements CharFilterFactory {
        @Override
        public Reader create(Reader r) {
            return f.apply(r);
        }
    }

    record NCF(String name, Function<Reader, Reader> f) implements NormalizingCharFilterFactory {
        @Override
        public Reader create(Reader r) {
            return f.apply(r);
        }
    }

    static final class Provider<T extends Analyzer> extends AbstractIndexAnalyzerProvider<T> {
        private final T analyzer;

        Provider(String name, Settings settings, T analyzer) {
            super(name, settings);
            this.analyzer = analyzer;
        }

        @Override
        public T get() {
            return analyzer;
        }
    }

    // ------------------------------------------------------------------ helpers

    private static int intSetting(Settings s, String key, int dflt) {
        Integer v = s.getAsInt(key, dflt);
        return v == null ? dflt : v;
    }

    private static boolean boolSetting(Settings s, String key, boolean dflt) {
        Boolean v = s.getAsBoolean(key, dflt);
        return v == null ? dflt : v;
    }

    private static Pattern pattern(Settings s, String dflt) {
        String p = s.get("pattern", dflt);
        if (p == null) {
            throw new IllegalArgumentException("[pattern] is required");
        }
        return Regex.compile(p, s.get("flags"));
    }

    private static IntPredicate tokenChars(Settings s) {
        List<String> kinds = s.getAsList("token_chars", List.of());
        if (kinds.isEmpty()) {
            return c -> true;
        }
        String custom = s.get("custom_token_chars", "");
        Set<Integer> customSet = new HashSet<>();
        custom.codePoints().forEach(customSet::add);
        IntPredicate p = c -> false;
        for (String kind : kinds) {
            IntPredicate k = switch (kind.toLowerCase(Locale.ROOT)) {
                case "letter" -> Character::isLetter;
                case "digit" -> Character::isDigit;
                case "whitespace" -> Character::isWhitespace;
                case "punctuation" -> c -> switch (Character.getType(c)) {
                    case Character.START_PUNCTUATION, Character.END_PUNCTUATION, Character.OTHER_PUNCTUATION,
                        Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION,
                        Character.FINAL_QUOTE_PUNCTUATION -> true;
                    default -> false;
                };
                case "symbol" -> c -> switch (Character.getType(c)) {
                    case Character.CURRENCY_SYMBOL, Character.MATH_SYMBOL, Character.OTHER_SYMBOL, Character.MODIFIER_SYMBOL -> true;
                    default -> false;
                };
                case "custom" -> customSet::contains;
                default -> throw new IllegalArgumentException("Unknown token type: '" + kind + "'");
            };
            p = p.or(k);
        }
        return p;
    }

    private static TokenStream stem(TokenStream ts, String language) {
        String lang = language.toLowerCase(Locale.ROOT);
        return switch (lang) {
            case "indonesian" -> new IndonesianStemFilter(ts);
            case "english", "porter" -> new PorterStemFilter(ts);
            case "light_english", "kstem" -> new KStemFilter(ts);
            case "minimal_english" -> new EnglishMinimalStemFilter(ts);
            case "possessive_english" -> new EnglishPossessiveFilter(ts);
            case "porter2" -> new SnowballFilter(ts, "English");
            default -> new SnowballFilter(ts, Character.toUpperCase(lang.charAt(0)) + lang.substring(1));
        };
    }

    private static Reader mapping(Reader r, NormalizeCharMap map) {
        return new MappingCharFilter(map, r);
    }

    private static final Pattern RULE = Pattern.compile("(.*)\\s*=>\\s*(.*)\\s*$");

    private static String unescape(String s) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                char n = s.charAt(++i);
                switch (n) {
                    case 'n' -> out.append('\n');
                    case 't' -> out.append('\t');
                    case 'r' -> out.append('\r');
                    case 'b' -> out.append('\b');
                    case 'f' -> out.append('\f');
                    case 'u' -> {
                        out.append((char) Integer.parseInt(s.substring(i + 1, i + 5), 16));
                        i += 4;
                    }
                    default -> out.append(n);
                }
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** Elasticsearch's "unique" filter: drops a token whose text was already seen in the stream. */
    static final class UniqueFilter extends TokenFilter {
        private final CharTermAttribute term = addAttribute(CharTermAttribute.class);
        private final PositionIncrementAttribute posInc = addAttribute(PositionIncrementAttribute.class);
        private final CharArraySet seen = new CharArraySet(8, false);
        private final boolean onlySamePosition;

        UniqueFilter(TokenStream in, boolean onlySamePosition) {
            super(in);
            this.onlySamePosition = onlySamePosition;
        }

        @Override
        public boolean incrementToken() throws IOException {
            while (input.incrementToken()) {
                if (onlySamePosition && posInc.getPositionIncrement() > 0) {
                    seen.clear();
                }
                char[] buf = term.buffer();
                int len = term.length();
                if (seen.contains(buf, 0, len)) {
                    continue;
                }
                char[] copy = new char[len];
                System.arraycopy(buf, 0, copy, 0, len);
                seen.add(copy);
                return true;
            }
            return false;
        }

        @Override
        public void reset() throws IOException {
            super.reset();
            seen.clear();
        }
    }

    /** synonym / synonym_graph: rules parsed with the analysis chain that precedes the filter. */
    static final class SynonymFactory implements TokenFilterFactory {
        private final String name;
        private final Environment env;
        private final Settings settings;
        private final boolean graph;

        SynonymFactory(String name, Environment env, Settings settings, boolean graph) {
            this.name = name;
            this.env = env;
            this.settings = settings;
            this.graph = graph;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public TokenStream create(TokenStream ts) {
            throw new IllegalStateException("synonym filter [" + name + "] used outside an analysis chain");
        }

        @Override
        public AnalysisMode getAnalysisMode() {
            return boolSetting(settings, "updateable", false) ? AnalysisMode.SEARCH_TIME : AnalysisMode.ALL;
        }

        @Override
        public TokenFilterFactory getChainAwareTokenFilterFactory(
            IndexService.IndexCreationContext context,
            TokenizerFactory tokenizer,
            List<CharFilterFactory> charFilters,
            List<TokenFilterFactory> previousTokenFilters,
            Function<String, TokenFilterFactory> allFilters
        ) {
            Analyzer parseAnalyzer = new Analyzer() {
                @Override
                protected TokenStreamComponents createComponents(String field) {
                    Tokenizer t = tokenizer.create();
                    TokenStream ts = t;
                    for (TokenFilterFactory f : previousTokenFilters) {
                        ts = f.create(ts);
                    }
                    return new TokenStreamComponents(t, ts);
                }

                @Override
                protected Reader initReader(String field, Reader reader) {
                    for (CharFilterFactory c : charFilters) {
                        reader = c.create(reader);
                    }
                    return reader;
                }
            };
            List<String> rules = org.elasticsearch.index.analysis.Analysis.getWordList(env, settings, "synonyms");
            if (rules == null || rules.isEmpty()) {
                return new TF(name, ts -> ts);
            }
            SynonymMap map;
            try {
                SolrSynonymParser parser = new SolrSynonymParser(true, boolSetting(settings, "expand", true), parseAnalyzer);
                parser.parse(new StringReader(String.join("\n", rules)));
                map = parser.build();
            } catch (Exception e) {
                if (boolSetting(settings, "lenient", false)) {
                    return new TF(name, ts -> ts);
                }
                throw new IllegalArgumentException("failed to build synonyms for [" + name + "]: " + e.getMessage(), e);
            }
            if (map.fst == null) {
                return new TF(name, ts -> ts);
            }
            return new TF(name, ts -> graph ? new SynonymGraphFilter(ts, map, false) : new SynonymFilter(ts, map, false));
        }
    }

    // ------------------------------------------------------------------ registries

    static Map<String, AnalysisProvider<AnalyzerProvider<? extends Analyzer>>> analyzers() {
        Map<String, AnalysisProvider<AnalyzerProvider<? extends Analyzer>>> m = new TreeMap<>();
        m.put("indonesian", (IndexSettings is, Environment env, String name, Settings s) -> new Provider<>(name, s,
            new IndonesianAnalyzer(
                org.elasticsearch.index.analysis.Analysis.parseStopWords(env, s, IndonesianAnalyzer.getDefaultStopSet()),
                org.elasticsearch.index.analysis.Analysis.parseStemExclusion(s, CharArraySet.EMPTY_SET))));
        m.put("english", (IndexSettings is, Environment env, String name, Settings s) -> new Provider<>(name, s,
            new EnglishAnalyzer(
                org.elasticsearch.index.analysis.Analysis.parseStopWords(env, s, EnglishAnalyzer.ENGLISH_STOP_WORDS_SET),
                org.elasticsearch.index.analysis.Analysis.parseStemExclusion(s, CharArraySet.EMPTY_SET))));
        return m;
    }

    static Map<String, AnalysisProvider<TokenizerFactory>> tokenizers() {
        Map<String, AnalysisProvider<TokenizerFactory>> m = new TreeMap<>();
        m.put("whitespace", (is, env, name, s) -> {
            int max = intSetting(s, "max_token_length", 255);
            return new TK(name, () -> new WhitespaceTokenizer(TokenStream.DEFAULT_TOKEN_ATTRIBUTE_FACTORY, max));
        });
        m.put("keyword", (is, env, name, s) -> {
            int buf = intSetting(s, "buffer_size", 256);
            return new TK(name, () -> new KeywordTokenizer(buf));
        });
        m.put("letter", (is, env, name, s) -> new TK(name, LetterTokenizer::new));
        m.put("classic", (is, env, name, s) -> {
            int max = intSetting(s, "max_token_length", 255);
            return new TK(name, () -> {
                ClassicTokenizer t = new ClassicTokenizer();
                t.setMaxTokenLength(max);
                return t;
            });
        });
        m.put("uax_url_email", (is, env, name, s) -> {
            int max = intSetting(s, "max_token_length", 255);
            return new TK(name, () -> {
                UAX29URLEmailTokenizer t = new UAX29URLEmailTokenizer();
                t.setMaxTokenLength(max);
                return t;
            });
        });
        m.put("pattern", (is, env, name, s) -> {
            Pattern p = pattern(s, "\\W+");
            int group = intSetting(s, "group", -1);
            return new TK(name, () -> new PatternTokenizer(p, group));
        });
        m.put("simple_pattern", (is, env, name, s) -> {
            String p = s.get("pattern", "");
            return new TK(name, () -> new SimplePatternTokenizer(p));
        });
        m.put("simple_pattern_split", (is, env, name, s) -> {
            String p = s.get("pattern", "");
            return new TK(name, () -> new SimplePatternSplitTokenizer(p));
        });
        m.put("edge_ngram", (is, env, name, s) -> {
            int min = intSetting(s, "min_gram", 1);
            int max = intSetting(s, "max_gram", 2);
            IntPredicate chars = tokenChars(s);
            return new TK(name, () -> new EdgeNGramTokenizer(min, max) {
                @Override
                protected boolean isTokenChar(int chr) {
                    return chars.test(chr);
                }
            });
        });
        m.put("ngram", (is, env, name, s) -> {
            int min = intSetting(s, "min_gram", 1);
            int max = intSetting(s, "max_gram", 2);
            IntPredicate chars = tokenChars(s);
            return new TK(name, () -> new NGramTokenizer(min, max) {
                @Override
                protected boolean isTokenChar(int chr) {
                    return chars.test(chr);
                }
            });
        });
        m.put("path_hierarchy", (is, env, name, s) -> {
            int buf = intSetting(s, "buffer_size", 1024);
            char delim = s.get("delimiter", "/").charAt(0);
            char repl = s.get("replacement", String.valueOf(delim)).charAt(0);
            int skip = intSetting(s, "skip", 0);
            boolean reverse = boolSetting(s, "reverse", false);
            return new TK(name, () -> reverse
                ? new ReversePathHierarchyTokenizer(buf, delim, repl, skip)
                : new PathHierarchyTokenizer(buf, delim, repl, skip));
        });
        return m;
    }

    static Map<String, AnalysisProvider<TokenFilterFactory>> tokenFilters() {
        Map<String, AnalysisProvider<TokenFilterFactory>> m = new TreeMap<>();
        m.put("lowercase", (is, env, name, s) -> {
            String lang = s.get("language");
            Filter f;
            if (lang == null) {
                f = LowerCaseFilter::new;
            } else {
                f = switch (lang.toLowerCase(Locale.ROOT)) {
                    case "greek" -> GreekLowerCaseFilter::new;
                    case "irish" -> IrishLowerCaseFilter::new;
                    case "turkish" -> TurkishLowerCaseFilter::new;
                    default -> throw new IllegalArgumentException("language [" + lang + "] not support for lower case");
                };
            }
            return new NTF(name, f, f);
        });
        m.put("uppercase", (is, env, name, s) -> new NTF(name, UpperCaseFilter::new, UpperCaseFilter::new));
        m.put("asciifolding", (is, env, name, s) -> {
            boolean preserve = boolSetting(s, "preserve_original", false);
            return new NTF(name, ts -> new ASCIIFoldingFilter(ts, preserve), ts -> new ASCIIFoldingFilter(ts, false));
        });
        m.put("decimal_digit", (is, env, name, s) -> new NTF(name, DecimalDigitFilter::new, DecimalDigitFilter::new));
        m.put("trim", (is, env, name, s) -> new NTF(name, TrimFilter::new, TrimFilter::new));
        m.put("length", (is, env, name, s) -> {
            int min = intSetting(s, "min", 0);
            int max = intSetting(s, "max", Integer.MAX_VALUE);
            return new TF(name, ts -> new LengthFilter(ts, min, max));
        });
        m.put("truncate", (is, env, name, s) -> {
            int len = intSetting(s, "length", 10);
            return new TF(name, ts -> new TruncateTokenFilter(ts, len));
        });
        m.put("stemmer", (is, env, name, s) -> {
            String lang = s.get("language", s.get("name", "porter"));
            stem(new org.apache.lucene.analysis.core.KeywordTokenizer(), lang); // fail early on an unknown language
            return new TF(name, ts -> stem(ts, lang));
        });
        m.put("snowball", (is, env, name, s) -> {
            String lang = s.get("language", "English");
            return new TF(name, ts -> new SnowballFilter(ts, lang));
        });
        m.put("porter_stem", (is, env, name, s) -> new TF(name, PorterStemFilter::new));
        m.put("kstem", (is, env, name, s) -> new TF(name, KStemFilter::new));
        m.put("edge_ngram", (is, env, name, s) -> {
            int min = intSetting(s, "min_gram", 1);
            int max = intSetting(s, "max_gram", 2);
            boolean preserve = boolSetting(s, "preserve_original", false);
            return new TF(name, ts -> new EdgeNGramTokenFilter(ts, min, max, preserve));
        });
        m.put("ngram", (is, env, name, s) -> {
            int min = intSetting(s, "min_gram", 1);
            int max = intSetting(s, "max_gram", 2);
            boolean preserve = boolSetting(s, "preserve_original", false);
            return new TF(name, ts -> new NGramTokenFilter(ts, min, max, preserve));
        });
        m.put("unique", (is, env, name, s) -> {
            boolean same = boolSetting(s, "only_on_same_position", false);
            return new TF(name, ts -> new UniqueFilter(ts, same));
        });
        m.put("remove_duplicates", (is, env, name, s) -> new TF(name, RemoveDuplicatesTokenFilter::new));
        m.put("reverse", (is, env, name, s) -> new TF(name, ReverseStringFilter::new));
        m.put("classic", (is, env, name, s) -> new TF(name, ClassicFilter::new));
        m.put("apostrophe", (is, env, name, s) -> new TF(name, org.apache.lucene.analysis.tr.ApostropheFilter::new));
        m.put("flatten_graph", (is, env, name, s) -> new TF(name, FlattenGraphFilter::new));
        m.put("elision", (is, env, name, s) -> {
            CharArraySet articles = org.elasticsearch.index.analysis.Analysis.parseArticles(env, s);
            CharArraySet set = articles == null ? FrenchAnalyzer.DEFAULT_ARTICLES : articles;
            return new NTF(name, ts -> new ElisionFilter(ts, set), ts -> new ElisionFilter(ts, set));
        });
        m.put("fingerprint", (is, env, name, s) -> {
            String sep = s.get("separator", " ");
            int max = intSetting(s, "max_output_size", 255);
            return new TF(name, ts -> {
                FingerprintFilter f = new FingerprintFilter(ts, max, sep.charAt(0));
                return f;
            });
        });
        m.put("limit", (is, env, name, s) -> {
            int max = intSetting(s, "max_token_count", 1);
            boolean all = boolSetting(s, "consume_all_tokens", false);
            return new TF(name, ts -> new LimitTokenCountFilter(ts, max, all));
        });
        m.put("keyword_marker", AnalysisPlugin.requiresAnalysisSettings((is, env, name, s) -> {
            boolean ignoreCase = boolSetting(s, "ignore_case", false);
            String pat = s.get("keywords_pattern");
            if (pat != null) {
                Pattern p = Pattern.compile(pat);
                return new TF(name, ts -> new PatternKeywordMarkerFilter(ts, p));
            }
            Set<?> words = org.elasticsearch.index.analysis.Analysis.getWordSet(env, s, "keywords");
            if (words == null) {
                throw new IllegalArgumentException("keyword filter requires either `keywords`, `keywords_path`, or `keywords_pattern` to be configured");
            }
            CharArraySet set = new CharArraySet(words, ignoreCase);
            return new TF(name, ts -> new SetKeywordMarkerFilter(ts, set));
        }));
        m.put("keep", AnalysisPlugin.requiresAnalysisSettings((is, env, name, s) -> {
            boolean ignoreCase = boolSetting(s, "keep_words_case", false);
            Set<?> words = org.elasticsearch.index.analysis.Analysis.getWordSet(env, s, "keep_words");
            if (words == null) {
                throw new IllegalArgumentException("keep requires `keep_words` or `keep_words_path` to be configured");
            }
            CharArraySet set = new CharArraySet(words, ignoreCase);
            return new TF(name, ts -> new KeepWordFilter(ts, set));
        }));
        m.put("pattern_replace", AnalysisPlugin.requiresAnalysisSettings((is, env, name, s) -> {
            Pattern p = pattern(s, null);
            String repl = s.get("replacement", "");
            boolean all = boolSetting(s, "all", true);
            return new NTF(name, ts -> new PatternReplaceFilter(ts, p, repl, all), ts -> new PatternReplaceFilter(ts, p, repl, all));
        }));
        m.put("pattern_capture", AnalysisPlugin.requiresAnalysisSettings((is, env, name, s) -> {
            List<String> pats = s.getAsList("patterns", List.of());
            if (pats.isEmpty()) {
                throw new IllegalArgumentException("required setting 'patterns' is missing for token filter [" + name + "]");
            }
            Pattern[] ps = pats.stream().map(Pattern::compile).toArray(Pattern[]::new);
            boolean preserve = boolSetting(s, "preserve_original", true);
            return new TF(name, ts -> new PatternCaptureGroupTokenFilter(ts, preserve, ps));
        }));
        AnalysisProvider<TokenFilterFactory> wdg = (is, env, name, s) -> wordDelimiter(env, name, s, true);
        AnalysisProvider<TokenFilterFactory> wd = (is, env, name, s) -> wordDelimiter(env, name, s, false);
        m.put("word_delimiter_graph", wdg);
        m.put("word_delimiter", wd);
        m.put("synonym", AnalysisPlugin.requiresAnalysisSettings((is, env, name, s) -> new SynonymFactory(name, env, s, false)));
        m.put("synonym_graph", AnalysisPlugin.requiresAnalysisSettings((is, env, name, s) -> new SynonymFactory(name, env, s, true)));
        return m;
    }

    private static TokenFilterFactory wordDelimiter(Environment env, String name, Settings s, boolean graph) {
        int flags = 0;
        flags |= boolSetting(s, "generate_word_parts", true) ? WordDelimiterGraphFilter.GENERATE_WORD_PARTS : 0;
        flags |= boolSetting(s, "generate_number_parts", true) ? WordDelimiterGraphFilter.GENERATE_NUMBER_PARTS : 0;
        flags |= boolSetting(s, "catenate_words", false) ? WordDelimiterGraphFilter.CATENATE_WORDS : 0;
        flags |= boolSetting(s, "catenate_numbers", false) ? WordDelimiterGraphFilter.CATENATE_NUMBERS : 0;
        flags |= boolSetting(s, "catenate_all", false) ? WordDelimiterGraphFilter.CATENATE_ALL : 0;
        flags |= boolSetting(s, "split_on_case_change", true) ? WordDelimiterGraphFilter.SPLIT_ON_CASE_CHANGE : 0;
        flags |= boolSetting(s, "preserve_original", false) ? WordDelimiterGraphFilter.PRESERVE_ORIGINAL : 0;
        flags |= boolSetting(s, "split_on_numerics", true) ? WordDelimiterGraphFilter.SPLIT_ON_NUMERICS : 0;
        flags |= boolSetting(s, "stem_english_possessive", true) ? WordDelimiterGraphFilter.STEM_ENGLISH_POSSESSIVE : 0;
        flags |= boolSetting(s, "ignore_keywords", false) ? WordDelimiterGraphFilter.IGNORE_KEYWORDS : 0;
        Set<?> prot = org.elasticsearch.index.analysis.Analysis.getWordSet(env, s, "protected_words");
        CharArraySet protWords = prot == null ? null : new CharArraySet(prot, false);
        boolean adjust = boolSetting(s, "adjust_offsets", true);
        final int f = flags;
        return new TF(name, ts -> graph
            ? new WordDelimiterGraphFilter(ts, adjust, WordDelimiterIterator.DEFAULT_WORD_DELIM_TABLE, f, protWords)
            : new WordDelimiterFilter(ts, WordDelimiterIterator.DEFAULT_WORD_DELIM_TABLE, f, protWords));
    }

    static Map<String, AnalysisProvider<CharFilterFactory>> charFilters() {
        Map<String, AnalysisProvider<CharFilterFactory>> m = new TreeMap<>();
        m.put("html_strip", (is, env, name, s) -> {
            List<String> escaped = s.getAsList("escaped_tags", List.of());
            Set<String> tags = escaped.isEmpty() ? null : new HashSet<>(escaped);
            return new CF(name, r -> tags == null ? new HTMLStripCharFilter(r) : new HTMLStripCharFilter(r, tags));
        });
        m.put("mapping", AnalysisPlugin.requiresAnalysisSettings((is, env, name, s) -> {
            List<String> rules = org.elasticsearch.index.analysis.Analysis.getWordList(env, s, "mappings");
            if (rules == null) {
                throw new IllegalArgumentException("mapping requires either `mappings` or `mappings_path` to be configured");
            }
            NormalizeCharMap.Builder b = new NormalizeCharMap.Builder();
            for (String rule : rules) {
                Matcher mt = RULE.matcher(rule);
                if (mt.find() == false) {
                    throw new RuntimeException("Invalid Mapping Rule : [" + rule + "]");
                }
                String lhs = unescape(mt.group(1).trim());
                String rhs = unescape(mt.group(2).trim());
                if (lhs.isEmpty()) {
                    throw new RuntimeException("Invalid Mapping Rule : [" + rule + "]. Illegal mapping.");
                }
                b.add(lhs, rhs);
            }
            NormalizeCharMap map = b.build();
            return new NCF(name, r -> mapping(r, map));
        }));
        m.put("pattern_replace", AnalysisPlugin.requiresAnalysisSettings((is, env, name, s) -> {
            Pattern p = pattern(s, null);
            String repl = s.get("replacement", "");
            return new NCF(name, r -> new PatternReplaceCharFilter(p, repl, r));
        }));
        return m;
    }
}
