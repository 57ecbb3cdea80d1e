using System.Globalization;
using XRight.Modeling;
using XRight.Text;
using static TorchSharp.torch;

namespace XRight.Evaluation;

/// <summary>
/// Log-likelihoods of continuations given contexts, with lm-evaluation-harness's semantics (v0.4.3, the
/// version the paper cites), for multiple-choice benchmarks scored by log-likelihood.
/// </summary>
/// <remarks>
/// <para>Tokenization follows the harness's <c>_encode_pair</c>: trailing whitespace of the context moves to the
/// front of the continuation; the context's tokens are <c>encode(context)</c> and the continuation's are
/// <c>encode(context + continuation)</c> without its first <c>len(encode(context))</c> tokens. Where tokens merge
/// across the boundary the two parts therefore need not join up to <c>encode(context + continuation)</c>: the
/// context keeps its own tokens and the continuation is what the whole encoding has after as many tokens as the
/// context has (the harness's rule, kept exactly). An empty context becomes the prefix token
/// (<see cref="PrefixTokenId"/>) with <c>encode(continuation)</c>. An input longer than <see cref="MaxLength"/> + 1
/// tokens loses tokens from the left of the context.</para>
/// <para>The choices of one context share it: the context goes through the model once, its keys and values are
/// kept, and every continuation then runs on top of them, so a question with four answers costs one pass
/// over the context. Continuations of a single token (MMLU's " A" … " D") need no second pass at all.</para>
/// </remarks>
public sealed class MultipleChoiceScorer
{
    /// <summary>Scores with <paramref name="model"/>, encoding text with <paramref name="tokenizer"/>.</summary>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public MultipleChoiceScorer(CausalLm model, CausalLmTokenizer tokenizer, MultipleChoiceScorerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(tokenizer);
        Options = options ?? new MultipleChoiceScorerOptions();
        if (Options.BatchSize <= 0) throw new ArgumentException($"MultipleChoiceScorerOptions.BatchSize must be positive, found {Options.BatchSize}.", nameof(options));
        if (Options.MaxLength is <= 0) throw new ArgumentException($"MultipleChoiceScorerOptions.MaxLength must be positive, found {Options.MaxLength}.", nameof(options));
        Model = model;
        Tokenizer = tokenizer;
        MaxLength = Options.MaxLength ?? model.Config.MaxPositionEmbeddings;
        PrefixTokenId = Options.PrefixTokenId ?? tokenizer.BosTokenId ?? tokenizer.EosTokenId;
    }

    /// <summary>The model that scores.</summary>
    public CausalLm Model { get; }

    /// <summary>The tokenizer that encodes contexts and continuations.</summary>
    public CausalLmTokenizer Tokenizer { get; }

    /// <summary>The options in effect.</summary>
    public MultipleChoiceScorerOptions Options { get; }

    /// <summary>The window in tokens: <see cref="MultipleChoiceScorerOptions.MaxLength"/>, else the model's <c>max_position_embeddings</c>.</summary>
    public int MaxLength { get; }

    /// <summary>The token that stands for an empty context.</summary>
    public int PrefixTokenId { get; }

    /// <summary>The settings that change results, for a <see cref="BenchmarkResult"/>.</summary>
    public IReadOnlyDictionary<string, string> Settings => SettingsFor(Model, Tokenizer, Options);

    /// <summary>Context rows that went through the model so far (one per distinct context in a batch).</summary>
    internal long ContextRowsRun { get; private set; }

    /// <summary>Rows of the second pass so far (one per continuation longer than one token, in batches that have one).</summary>
    internal long ContinuationRowsRun { get; private set; }

    /// <summary>The context and continuation tokens of a request, by the harness's rule (see the remarks on the class).</summary>
    /// <exception cref="ArgumentException">The continuation is empty, or has no token of its own after the context's.</exception>
    public (int[] Context, int[] Continuation) Encode(string context, string continuation)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(continuation);
        if (continuation.Length == 0) throw new ArgumentException("The continuation is empty; there is nothing to score.", nameof(continuation));
        if (context.Length == 0) return ([PrefixTokenId], Tokenizer.Encode(continuation, Options.AddSpecialTokens));

        string trimmed = PythonText.RStrip(context);
        if (trimmed.Length < context.Length)
        {
            continuation = context.Substring(trimmed.Length) + continuation;
            context = trimmed;
        }
        var whole = Tokenizer.Encode(context + continuation, Options.AddSpecialTokens);
        var contextIds = Tokenizer.Encode(context, Options.AddSpecialTokens);
        var continuationIds = whole.Skip(contextIds.Length).ToArray();
        if (continuationIds.Length == 0)
            throw new ArgumentException($"The continuation '{continuation}' has no tokens of its own after the context's {contextIds.Length} tokens.", nameof(continuation));
        // A context of whitespace only encodes to nothing once its whitespace moved (the harness fails there):
        // it is an empty context, which the prefix token stands for.
        if (contextIds.Length == 0) contextIds = [PrefixTokenId];
        return (contextIds, continuationIds);
    }

    /// <summary>Scores each request; the results are in request order.</summary>
    public IReadOnlyList<LoglikelihoodResult> Score(IReadOnlyList<LoglikelihoodRequest> requests)
    {
        ArgumentNullException.ThrowIfNull(requests);
        return ScoreTokens(requests.Select(r => Encode(r.Context, r.Continuation)).ToList());
    }

    /// <summary>Scores each continuation after the same <paramref name="context"/>.</summary>
    public IReadOnlyList<LoglikelihoodResult> ScoreChoices(string context, IReadOnlyList<string> continuations)
    {
        ArgumentNullException.ThrowIfNull(continuations);
        return Score(continuations.Select(c => new LoglikelihoodRequest(context, c)).ToList());
    }

    /// <summary>Scores already encoded requests; the results are in request order.</summary>
    /// <exception cref="ArgumentException">A context or continuation is empty, or a continuation is longer than <see cref="MaxLength"/>.</exception>
    public IReadOnlyList<LoglikelihoodResult> ScoreTokens(IReadOnlyList<(int[] Context, int[] Continuation)> requests)
    {
        ArgumentNullException.ThrowIfNull(requests);
        var groups = new Dictionary<TokenKey, ContextGroup>();
        var order = new List<ContextGroup>();
        for (int i = 0; i < requests.Count; i++)
        {
            var (context, continuation) = requests[i];
            if (context is not { Length: > 0 }) throw new ArgumentException($"Request {i} has an empty context; use the prefix token for an empty text.", nameof(requests));
            if (continuation is not { Length: > 0 }) throw new ArgumentException($"Request {i} has an empty continuation.", nameof(requests));
            if (continuation.Length > MaxLength)
                throw new ArgumentException($"Request {i} has a continuation of {continuation.Length} tokens, more than the window of {MaxLength}.", nameof(requests));
            // The harness feeds (context + continuation)[-(max_length + 1):][:-1]: the context loses its left part.
            int excess = context.Length + continuation.Length - (MaxLength + 1);
            var kept = excess > 0 ? context[excess..] : context;
            var key = new TokenKey(kept);
            if (!groups.TryGetValue(key, out var group))
            {
                group = new ContextGroup(kept);
                groups.Add(key, group);
                order.Add(group);
            }
            group.Requests.Add((i, continuation));
        }

        var results = new LoglikelihoodResult[requests.Count];
        if (requests.Count == 0) return results;
        bool wasTraining = Model.training;
        Model.eval();
        try
        {
            using var noGrad = no_grad();
            // Longest contexts first, so that a batch holds contexts of similar lengths.
            var batch = new List<ContextGroup>();
            int rows = 0;
            foreach (var group in order.OrderByDescending(g => g.Context.Length))
            {
                if (batch.Count > 0 && rows + group.Requests.Count > Options.BatchSize)
                {
                    ScoreBatch(batch, results);
                    batch.Clear();
                    rows = 0;
                }
                batch.Add(group);
                rows += group.Requests.Count;
            }
            ScoreBatch(batch, results);
        }
        finally
        {
            if (wasTraining) Model.train();
        }
        return results;
    }

    // Pass 1: the contexts, left-padded so that each one's last token is in the last column, with a KV cache.
    // Its last position predicts every continuation's first token. Pass 2 (when a continuation has more than
    // one token): the cache repeated per continuation, then each continuation but its last token, right-padded.
    private void ScoreBatch(List<ContextGroup> groups, LoglikelihoodResult[] results)
    {
        using var scope = NewDisposeScope();
        var device = Model.Device;
        int g = groups.Count, contextLength = groups.Max(x => x.Context.Length);
        var rows = groups.SelectMany((group, index) => group.Requests.Select(r => (Group: index, r.Index, r.Continuation))).ToList();
        int r = rows.Count;

        var contextIds = new long[g * contextLength];
        var contextMask = new long[g * contextLength];
        for (int i = 0; i < g; i++)
        {
            var context = groups[i].Context;
            int offset = i * contextLength + contextLength - context.Length;
            for (int t = 0; t < context.Length; t++)
            {
                contextIds[offset + t] = context[t];
                contextMask[offset + t] = 1;
            }
        }

        using var cache = new KvCache();
        var maskTensor = tensor(contextMask, [g, contextLength], ScalarType.Int64, device);
        var hidden = Model.ForwardHidden(tensor(contextIds, [g, contextLength], ScalarType.Int64, device), maskTensor, cache);
        ContextRowsRun += g;
        var rowGroup = tensor(rows.Select(x => (long)x.Group).ToArray(), [r], ScalarType.Int64, device);
        var firstTargets = tensor(rows.Select(x => (long)x.Continuation[0]).ToArray(), [r], ScalarType.Int64, device);
        // Each row's first continuation token is predicted by its context's last hidden state.
        var (logLikelihood, firstCorrect) = Model.ScoreTargets(hidden.select(1, contextLength - 1).index_select(0, rowGroup), firstTargets);
        var misses = 1 - firstCorrect;

        int restLength = rows.Max(x => x.Continuation.Length) - 1;
        if (restLength > 0)
        {
            cache.SelectRows(rowGroup);
            var ids = new long[r * restLength];
            var mask = new long[r * restLength];
            var positions = new List<long>();
            var targets = new List<long>();
            var rowOf = new List<long>();
            for (int i = 0; i < r; i++)
            {
                var continuation = rows[i].Continuation;
                for (int t = 0; t < continuation.Length - 1; t++)
                {
                    ids[i * restLength + t] = continuation[t];
                    mask[i * restLength + t] = 1;
                    // The hidden state at continuation position t predicts continuation token t + 1.
                    positions.Add((long)i * restLength + t);
                    targets.Add(continuation[t + 1]);
                    rowOf.Add(i);
                }
            }
            var fullMask = cat([maskTensor.index_select(0, rowGroup), tensor(mask, [r, restLength], ScalarType.Int64, device)], 1);
            var restHidden = Model.ForwardHidden(tensor(ids, [r, restLength], ScalarType.Int64, device), fullMask, cache);
            ContinuationRowsRun += r;
            var picked = restHidden.reshape(r * restLength, -1).index_select(0, tensor(positions.ToArray(), [positions.Count], ScalarType.Int64, device));
            var (tokenLogProbs, correct) = Model.ScoreTargets(picked, tensor(targets.ToArray(), [targets.Count], ScalarType.Int64, device));
            var rowIndex = tensor(rowOf.ToArray(), [rowOf.Count], ScalarType.Int64, device);
            logLikelihood = logLikelihood.index_add(0, rowIndex, tokenLogProbs, 1);
            misses = misses.index_add(0, rowIndex, 1 - correct, 1);
        }

        var sums = logLikelihood.to(ScalarType.Float64).cpu().data<double>().ToArray();
        var missCounts = misses.cpu().data<long>().ToArray();
        for (int i = 0; i < r; i++)
            results[rows[i].Index] = new LoglikelihoodResult(sums[i], missCounts[i] == 0, rows[i].Continuation.Length);
    }

    /// <summary>The settings of a scorer built from <paramref name="options"/> for <paramref name="model"/> and <paramref name="tokenizer"/>.</summary>
    internal static IReadOnlyDictionary<string, string> SettingsFor(CausalLm model, CausalLmTokenizer tokenizer, MultipleChoiceScorerOptions options) =>
        options.Settings(options.MaxLength ?? model.Config.MaxPositionEmbeddings, options.PrefixTokenId ?? tokenizer.BosTokenId ?? tokenizer.EosTokenId)
            .ToDictionary(kv => kv.Key, kv => kv.Value);

    private sealed class ContextGroup(int[] context)
    {
        public int[] Context { get; } = context;

        public List<(int Index, int[] Continuation)> Requests { get; } = [];
    }

    // Token sequences compared by content.
    private readonly struct TokenKey(int[] ids) : IEquatable<TokenKey>
    {
        private readonly int[] _ids = ids;

        public bool Equals(TokenKey other) => _ids.AsSpan().SequenceEqual(other._ids);

        public override bool Equals(object? obj) => obj is TokenKey other && Equals(other);

        public override int GetHashCode()
        {
            var hash = new HashCode();
            foreach (int id in _ids) hash.Add(id);
            return hash.ToHashCode();
        }

        public override string ToString() => string.Join(",", _ids.Select(i => i.ToString(CultureInfo.InvariantCulture)));
    }
}
