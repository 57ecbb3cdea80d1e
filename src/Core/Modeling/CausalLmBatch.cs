using static TorchSharp.torch;

namespace XRight.Modeling;

/// <summary>
/// A right-padded batch of prompt + response rows for one training forward pass. For DPO, put the
/// chosen rows first and the rejected rows after them, so both go through one forward pass.
/// The tensors belong to the dispose scope open when the batch was made (if any); disposing the
/// batch frees them too.
/// </summary>
public sealed class CausalLmBatch : IDisposable
{
    private CausalLmBatch(Tensor inputIds, Tensor attentionMask, Tensor responseMask, ScoringPlan plan, Tensor? positions = null, Tensor? segments = null)
    {
        InputIds = inputIds;
        AttentionMask = attentionMask;
        ResponseMask = responseMask;
        Plan = plan;
        Positions = positions;
        Segments = segments;
    }

    /// <summary>Token ids [B, T] (int64): prompt, then response, then padding.</summary>
    public Tensor InputIds { get; }

    /// <summary>[B, T] (int64): 1 for prompt and response tokens, 0 for padding.</summary>
    public Tensor AttentionMask { get; }

    /// <summary>[B, T] (int64): 1 where the token is a prediction target (a response token its row's loss mask keeps); 0 for prompt, padding and masked response tokens.</summary>
    public Tensor ResponseMask { get; }

    /// <summary>Rows in the batch.</summary>
    public int BatchSize => (int)InputIds.shape[0];

    /// <summary>Padded length T.</summary>
    public int Length => (int)InputIds.shape[1];

    /// <summary>Where the response tokens are, worked out on the host while collating.</summary>
    internal ScoringPlan Plan { get; }

    /// <summary>Packed batches: [B, T] int64, each token's position within its own row (restarting at 0 for every row); null otherwise.</summary>
    internal Tensor? Positions { get; }

    /// <summary>Packed batches: [B, T] int64, the row each token belongs to (−1 for padding), so attention stays within a row; null otherwise.</summary>
    internal Tensor? Segments { get; }

    /// <summary>True when several rows may share a sequence (see <see cref="CollatePacked"/>).</summary>
    internal bool IsPacked => Segments is not null;

    /// <summary>
    /// Packs the rows (prompt + response each) into as few sequences as first-fit decreasing finds, each no
    /// longer than the longest row, so no row is split and the attention per sequence costs what a padded
    /// row's does. Tokens attend only to earlier tokens of their own row, positions restart at 0 for every row,
    /// and each row is scored on its own response tokens, so every row's log-probabilities are those of the
    /// padded batch (up to float rounding: attention runs with an explicit mask instead of the causal kernel).
    /// </summary>
    /// <exception cref="ArgumentException">As for <see cref="Collate"/>.</exception>
    internal static CausalLmBatch CollatePacked(IReadOnlyList<(int[] Prompt, int[] Response)> rows, int padId, Device device, IReadOnlyList<bool[]?>? lossMasks = null)
    {
        Check(rows, padId, device, lossMasks);
        int length = rows.Max(r => r.Prompt.Length + r.Response.Length);
        var placements = new (int Sequence, int Offset)[rows.Count];
        var used = new List<int>();
        foreach (int r in Enumerable.Range(0, rows.Count).OrderByDescending(r => rows[r].Prompt.Length + rows[r].Response.Length).ThenBy(r => r))
        {
            int size = rows[r].Prompt.Length + rows[r].Response.Length;
            int sequence = used.FindIndex(u => u + size <= length);
            if (sequence < 0) { sequence = used.Count; used.Add(0); }
            placements[r] = (sequence, used[sequence]);
            used[sequence] += size;
        }

        int sequences = used.Count;
        var ids = new long[sequences * length];
        var attention = new long[ids.Length];
        var response = new long[ids.Length];
        var positions = new long[ids.Length];
        var segments = new long[ids.Length];
        Array.Fill(ids, padId);
        Array.Fill(segments, -1L);
        for (int r = 0; r < rows.Count; r++)
        {
            var (prompt, answer) = rows[r];
            int start = placements[r].Sequence * length + placements[r].Offset, size = prompt.Length + answer.Length;
            for (int i = 0; i < prompt.Length; i++) ids[start + i] = prompt[i];
            for (int i = 0; i < answer.Length; i++)
            {
                ids[start + prompt.Length + i] = answer[i];
                response[start + prompt.Length + i] = IsTarget(lossMasks, r, i) ? 1 : 0;
            }
            for (int i = 0; i < size; i++)
            {
                positions[start + i] = i;
                segments[start + i] = r;
            }
            Array.Fill(attention, 1L, start, size);
        }
        long[] shape = [sequences, length];
        return new CausalLmBatch(
            tensor(ids, shape, ScalarType.Int64, device),
            tensor(attention, shape, ScalarType.Int64, device),
            tensor(response, shape, ScalarType.Int64, device),
            new ScoringPlan(rows, length, padId, placements, lossMasks),
            tensor(positions, shape, ScalarType.Int64, device),
            tensor(segments, shape, ScalarType.Int64, device));
    }

    private static bool IsTarget(IReadOnlyList<bool[]?>? lossMasks, int row, int i) => lossMasks?[row] is not { } mask || mask[i];

    private static void Check(IReadOnlyList<(int[] Prompt, int[] Response)> rows, int padId, Device device, IReadOnlyList<bool[]?>? lossMasks)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(device);
        if (rows.Count == 0) throw new ArgumentException("A batch needs at least one row.", nameof(rows));
        if (padId < 0) throw new ArgumentException($"The padding id must be non-negative, found {padId}.", nameof(padId));
        for (int r = 0; r < rows.Count; r++)
        {
            if (rows[r].Prompt is not { Length: > 0 })
                throw new ArgumentException($"Row {r} has an empty prompt; at least one prompt token (e.g. BOS) must precede the response.", nameof(rows));
            if (rows[r].Response is not { Length: > 0 })
                throw new ArgumentException($"Row {r} has an empty response; there would be nothing to score.", nameof(rows));
        }
        if (lossMasks is not null)
        {
            if (lossMasks.Count != rows.Count)
                throw new ArgumentException($"There are {lossMasks.Count} loss masks for {rows.Count} rows.", nameof(lossMasks));
            for (int r = 0; r < rows.Count; r++)
            {
                if (lossMasks[r] is not { } mask) continue;
                if (mask.Length != rows[r].Response.Length)
                    throw new ArgumentException($"Row {r}'s loss mask has {mask.Length} flags for {rows[r].Response.Length} response tokens.", nameof(lossMasks));
                if (!mask.Contains(true))
                    throw new ArgumentException($"Row {r}'s loss mask marks no response token; there would be nothing to score.", nameof(lossMasks));
            }
        }
    }

    /// <summary>
    /// Concatenates each prompt with its response and right-pads the rows with <paramref name="padId"/>
    /// to the longest row.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// There are no rows, or a row has an empty prompt (its first response token would have nothing
    /// to be predicted from) or an empty response (nothing to score), or <paramref name="padId"/> is negative.
    /// </exception>
    /// <param name="rows">The rows.</param>
    /// <param name="padId">The padding id.</param>
    /// <param name="device">Where the tensors go.</param>
    /// <param name="lossMasks">Per row, which response tokens are targets (see <c>TokenizedInstruction.LossMask</c>), or
    /// null for all of them; null (the default) when every response token of every row is a target.</param>
    public static CausalLmBatch Collate(IReadOnlyList<(int[] Prompt, int[] Response)> rows, int padId, Device device, IReadOnlyList<bool[]?>? lossMasks = null)
    {
        Check(rows, padId, device, lossMasks);
        int length = rows.Max(r => r.Prompt.Length + r.Response.Length);
        var ids = new long[rows.Count * length];
        var attention = new long[ids.Length];
        var response = new long[ids.Length];
        Array.Fill(ids, padId);
        for (int r = 0; r < rows.Count; r++)
        {
            var (prompt, answer) = rows[r];
            int offset = r * length;
            for (int i = 0; i < prompt.Length; i++) ids[offset + i] = prompt[i];
            for (int i = 0; i < answer.Length; i++)
            {
                ids[offset + prompt.Length + i] = answer[i];
                response[offset + prompt.Length + i] = IsTarget(lossMasks, r, i) ? 1 : 0;
            }
            Array.Fill(attention, 1L, offset, prompt.Length + answer.Length);
        }
        long[] shape = [rows.Count, length];
        return new CausalLmBatch(
            tensor(ids, shape, ScalarType.Int64, device),
            tensor(attention, shape, ScalarType.Int64, device),
            tensor(response, shape, ScalarType.Int64, device),
            new ScoringPlan(rows, length, padId, lossMasks));
    }

    /// <summary>Frees the batch's tensors.</summary>
    public void Dispose()
    {
        InputIds.Dispose();
        AttentionMask.Dispose();
        ResponseMask.Dispose();
        Positions?.Dispose();
        Segments?.Dispose();
    }
}
