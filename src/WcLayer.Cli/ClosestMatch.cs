namespace WcLayer.Cli;

/// <summary>Finds the word a mistyped command or option most likely meant, for a "did you mean" hint.</summary>
internal static class ClosestMatch
{
    /// <summary>Returns the candidate nearest to <paramref name="typed"/> by edit distance, or <see langword="null"/> when none is close enough to be a typo.</summary>
    /// <param name="typed">What the user typed.</param>
    /// <param name="candidates">The words the command knows.</param>
    /// <returns>The closest candidate, or <see langword="null"/>.</returns>
    public static string? Find(string typed, IEnumerable<string> candidates)
    {
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (string candidate in candidates)
        {
            int distance = Distance(typed, candidate);
            if (distance < bestDistance)
            {
                (best, bestDistance) = (candidate, distance);
            }
        }

        // Beyond a third of the word, the "match" is a different word, and suggesting it misleads.
        int allowed = Math.Max(1, (typed.TrimStart('-').Length + 2) / 3);
        return bestDistance <= allowed ? best : null;
    }

    // Optimal string alignment distance: a transposition ("inptu") costs one edit, as users make them.
    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (int j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (int i = 1; i <= a.Length; i++)
        {
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = char.ToLowerInvariant(a[i - 1]) == char.ToLowerInvariant(b[j - 1]) ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }
}
