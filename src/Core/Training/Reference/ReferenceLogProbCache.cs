using System.Buffers.Binary;
using System.Security.Cryptography;
using XRight.IO;

namespace XRight.Training.Reference;

/// <summary>
/// The reference policy's summed log-probs of each preference row's chosen and rejected response,
/// computed once so a DPO step never runs the reference model. Entries are keyed by a hash of the
/// row's token ids and belong to one reference identity (<see cref="Fingerprint"/>): a cache file of
/// another reference is ignored as a whole, and a row tokenized differently is a miss.
/// </summary>
internal sealed class ReferenceLogProbCache
{
    private const int Magic = 0x58524643; // "XRFC"
    private const int FormatVersion = 1;
    private readonly Dictionary<UInt128, (double Chosen, double Rejected)> _entries = [];

    public ReferenceLogProbCache(string fingerprint) => Fingerprint = fingerprint;

    /// <summary>Identity of the reference model (and of how it was made).</summary>
    public string Fingerprint { get; }

    public int Count => _entries.Count;

    public bool TryGet(TokenizedPreference row, out (double Chosen, double Rejected) logProbs) => _entries.TryGetValue(KeyOf(row), out logProbs);

    public (double Chosen, double Rejected) Get(TokenizedPreference row)
        => TryGet(row, out var values) ? values
            : throw new KeyNotFoundException("A preference row has no reference log-probabilities; the reference cache was not built for this data.");

    public void Set(TokenizedPreference row, double chosen, double rejected) => _entries[KeyOf(row)] = (chosen, rejected);

    /// <summary>The rows of <paramref name="rows"/> with no entry yet (each distinct row once).</summary>
    public List<TokenizedPreference> Missing(IEnumerable<TokenizedPreference> rows)
    {
        var seen = new HashSet<UInt128>();
        return rows.Where(r => { var key = KeyOf(r); return !_entries.ContainsKey(key) && seen.Add(key); }).ToList();
    }

    /// <summary>Loads the cache in <paramref name="path"/> when it exists and belongs to <paramref name="fingerprint"/>; else an empty cache.</summary>
    public static ReferenceLogProbCache LoadOrEmpty(string? path, string fingerprint)
    {
        var cache = new ReferenceLogProbCache(fingerprint);
        if (path is null || !File.Exists(path)) return cache;
        try
        {
            using var reader = new BinaryReader(File.OpenRead(path));
            if (reader.ReadInt32() != Magic || reader.ReadInt32() != FormatVersion)
                throw new InvalidDataException($"'{path}' is not a reference log-prob cache of this version.");
            if (reader.ReadString() != fingerprint) return cache; // another reference: recompute everything
            int count = reader.ReadInt32();
            for (int i = 0; i < count; i++)
            {
                var key = new UInt128(reader.ReadUInt64(), reader.ReadUInt64());
                cache._entries[key] = (reader.ReadDouble(), reader.ReadDouble());
            }
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"Reference log-prob cache '{path}' is cut short; delete it to recompute.", e);
        }
        return cache;
    }

    public void Save(string path) => AtomicFile.Write(path, stream =>
    {
        using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        writer.Write(Magic);
        writer.Write(FormatVersion);
        writer.Write(Fingerprint);
        writer.Write(_entries.Count);
        foreach (var (key, (chosen, rejected)) in _entries)
        {
            writer.Write((ulong)(key >> 64));
            writer.Write((ulong)key);
            writer.Write(chosen);
            writer.Write(rejected);
        }
    });

    private static UInt128 KeyOf(TokenizedPreference row)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> length = stackalloc byte[4];
        foreach (var ids in (int[][])[row.Prompt, row.Chosen, row.Rejected])
        {
            BinaryPrimitives.WriteInt32LittleEndian(length, ids.Length);
            hash.AppendData(length);
            hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(ids.AsSpan()));
        }
        Span<byte> digest = stackalloc byte[32];
        hash.GetHashAndReset(digest);
        return new UInt128(BinaryPrimitives.ReadUInt64LittleEndian(digest), BinaryPrimitives.ReadUInt64LittleEndian(digest[8..]));
    }
}
