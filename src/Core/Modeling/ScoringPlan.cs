namespace XRight.Modeling;

/// <summary>
/// The target tokens (the response tokens a row's loss mask keeps; all of them without one) of a right-padded batch as flat host-side lists: for each one, the flattened [B·T]
/// position of the hidden state that predicts it, its id and its row; plus each row's response length and
/// the range of every id in the batch. Scoring builds its index tensors from these, so it never reads the
/// device to find the targets (no nonzero(), no min/max check).
/// </summary>
internal sealed class ScoringPlan
{
    public ScoringPlan(IReadOnlyList<(int[] Prompt, int[] Response)> rows, int length, int padId, IReadOnlyList<bool[]?>? lossMasks = null)
    {
        bool IsTarget(int row, int i) => lossMasks?[row] is not { } mask || mask[i];
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
            int targets = 0;
            for (int i = 0; i < response.Length; i++)
            {
                if (!IsTarget(r, i)) continue;
                targets++;
                // The token at position p is predicted by the hidden state at p − 1 of the same row.
                PredictorPositions[next] = (long)r * length + prompt.Length + i - 1;
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

    public long[] PredictorPositions { get; }

    public long[] TargetIds { get; }

    public long[] TargetRows { get; }

    public long[] ResponseLengths { get; }

    /// <summary>The smallest id in the batch, padding included.</summary>
    public int MinTokenId { get; }

    /// <summary>The largest id in the batch, padding included.</summary>
    public int MaxTokenId { get; }
}
