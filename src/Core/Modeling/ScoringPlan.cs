namespace XRight.Modeling;

/// <summary>
/// The target tokens of a batch (the response tokens a row's loss mask keeps; all of them without one) as
/// flat host-side lists: for each one, the flattened [B·T] position of the hidden state that predicts it, its
/// id and its row; plus each row's target count and the range of every id in the batch. Scoring builds its
/// index tensors from these, so it never reads the device to find the targets (no nonzero(), no min/max check).
/// </summary>
internal sealed class ScoringPlan
{
    /// <summary>The plan of a right-padded batch: row r is sequence r.</summary>
    public ScoringPlan(IReadOnlyList<(int[] Prompt, int[] Response)> rows, int length, int padId, IReadOnlyList<bool[]?>? lossMasks = null)
        : this(rows, length, padId, rows.Select((_, r) => (r, 0)).ToArray(), lossMasks)
    {
    }

    /// <summary>
    /// The plan of a batch whose row r starts at token <c>Offset</c> of sequence <c>Sequence</c> of
    /// <paramref name="placements"/> (a packed batch); the targets are each row's own, found as in a padded
    /// batch and shifted to where the row lies, and the sums stay per row.
    /// </summary>
    public ScoringPlan(IReadOnlyList<(int[] Prompt, int[] Response)> rows, int length, int padId,
        IReadOnlyList<(int Sequence, int Offset)> placements, IReadOnlyList<bool[]?>? lossMasks = null)
    {
        bool IsTarget(int row, int i) => lossMasks?[row] is not { } mask || mask[i];
        RowCount = rows.Count;
        int count = 0;
        for (int r = 0; r < rows.Count; r++)
            for (int i = 0; i < rows[r].Response.Length; i++)
                if (IsTarget(r, i)) count++;
        PredictorPositions = new long[count];
        TargetIds = new long[count];
        TargetRows = new long[count];
        ResponseLengths = new long[rows.Count];
        int min = padId, max = padId, next = 0;
        for (int r = 0; r < rows.Count; r++)
        {
            var (prompt, response) = rows[r];
            var (sequence, offset) = placements[r];
            int targets = 0;
            for (int i = 0; i < response.Length; i++)
            {
                if (!IsTarget(r, i)) continue;
                targets++;
                // The token at position p is predicted by the hidden state at p − 1 of the same row.
                PredictorPositions[next] = (long)sequence * length + offset + prompt.Length + i - 1;
                TargetIds[next] = response[i];
                TargetRows[next++] = r;
            }
            ResponseLengths[r] = targets;
            foreach (int id in prompt.Concat(response))
            {
                min = Math.Min(min, id);
                max = Math.Max(max, id);
            }
        }
        MinTokenId = min;
        MaxTokenId = max;
    }

    /// <summary>Rows scored (in a packed batch, more than its sequences).</summary>
    public int RowCount { get; }

    public long[] PredictorPositions { get; }

    public long[] TargetIds { get; }

    public long[] TargetRows { get; }

    /// <summary>Per row, the number of target tokens (its response length without a loss mask).</summary>
    public long[] ResponseLengths { get; }

    /// <summary>The smallest id in the batch, padding included.</summary>
    public int MinTokenId { get; }

    /// <summary>The largest id in the batch, padding included.</summary>
    public int MaxTokenId { get; }
}
