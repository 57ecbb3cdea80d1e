using XRight.Interop;

namespace XRight.Tests.Interop;

/// <summary>
/// Folders saved by transformers and PEFT (tools/interop/check.py on a machine with PyTorch), committed under
/// Interop/goldens with transformers' outputs: XRight loads each (an adapter on its base folder) and must give the
/// same logits (float32 within <see cref="InteropSuite.Float32Tolerance"/>, bfloat16 within
/// <see cref="InteropSuite.BFloat16Tolerance"/>) and the same greedy tokens. Skipped while no goldens are committed.
/// </summary>
[TestClass]
public sealed class InteropGoldenTests
{
    private static string GoldensFolder => Path.Combine(AppContext.BaseDirectory, "Interop", "goldens");

    /// <summary>Every manifest.json under the goldens folder (one per unpacked tarball).</summary>
    private static IReadOnlyList<string> Manifests() =>
        Directory.Exists(GoldensFolder)
            ? Directory.EnumerateFiles(GoldensFolder, InteropSuite.ManifestFile, SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList()
            : [];

    [TestMethod]
    public void TransformersGoldensMatchXRight()
    {
        var manifests = Manifests();
        if (manifests.Count == 0)
            Assert.Inconclusive(
                "Skipped: no transformers goldens under tests/XRight.Core.Tests/Interop/goldens (no manifest.json). Missing: the folders " +
                $"saved by transformers/PEFT for {string.Join(", ", InteropSuite.Models.Select(m => m.Name))} with their outputs; " +
                "produce them with tools/interop/run on a machine with PyTorch, transformers and PEFT (see Interop/goldens/README.md).");

        var failures = new List<string>();
        int compared = 0;
        foreach (var path in manifests)
        {
            string root = Path.GetDirectoryName(path)!;
            var manifest = InteropSuite.ReadManifest(root);
            Assert.AreEqual("transformers", manifest.Producer, $"{path}: goldens must come from transformers");
            var covered = manifest.Entries.Select(e => e.Model).Distinct().ToHashSet();
            foreach (var missing in InteropSuite.Models.Select(m => m.Name).Where(n => !covered.Contains(n)))
                failures.Add($"{path}: no golden of {missing}");
            foreach (var entry in manifest.Entries)
            {
                try
                {
                    var comparison = InteropSuite.Compare(root, entry);
                    compared++;
                    if (!comparison.Passed) failures.Add(comparison.ToString());
                }
                catch (Exception e) when (e is not UnitTestAssertException)
                {
                    failures.Add($"{entry.Folder}: XRight could not load it: {e.GetType().Name}: {e.Message}");
                }
            }
        }
        Assert.AreEqual(0, failures.Count, $"{compared} folder(s) compared:\n" + string.Join("\n", failures));
        Assert.IsTrue(compared > 0, "The manifests list no folders.");
    }
}
