using System.Text;

namespace XRight.Runtime;

/// <summary>
/// Derives independent, reproducible seeds for each consumer of randomness (data order of each
/// loader, ALRIGHT's draws, dropout) from the one user seed, so adding a consumer never shifts
/// the random stream of another.
/// </summary>
public static class SeedDerivation
{
    /// <summary>A 31-bit seed for <paramref name="purpose"/>, a pure function of both arguments.</summary>
    public static int Derive(int seed, string purpose)
    {
        ulong h = 14695981039346656037UL; // FNV-1a over the purpose, then SplitMix64 with the seed
        foreach (var b in Encoding.UTF8.GetBytes(purpose)) { h ^= b; h *= 1099511628211UL; }
        ulong z = h + (ulong)(uint)seed * 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (int)(z & 0x7FFFFFFF);
    }
}
