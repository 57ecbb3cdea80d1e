// The one-flag fix that lets TorchSharp's native shim load on Linux systems whose libstdc++ predates
// GCC 13 (Debian 12, Ubuntu 22.04, RHEL 9, ...).
//
// libLibTorchSharp.so (TorchSharp 0.107) was linked by GCC 13+, which records a requirement on the
// symbol version GLIBCXX_3.4.32 for exactly one symbol, std::ios_base_library_init. GCC 13's <iostream>
// only references that symbol to pull in the newer library; nothing ever calls it. Marking the version
// requirement WEAK (VER_FLG_WEAK in .gnu.version_r) makes the dynamic loader accept a libstdc++ that
// lacks the version. The patcher checks first that no other symbol depends on the version, so the
// change can never hide a symbol the shim really needs.
//
// This file is compiled twice: into XRight.Core (the run-time fix) and, by MSBuild's
// RoslynCodeTaskFactory, into the build task declared in build/XRight.Core.targets (the build-time
// fix). It therefore uses only .NET Standard 2.0 APIs, and the task class is excluded from the library.
#nullable disable
using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;

namespace XRight.Runtime.NativeFix
{
    /// <summary>What <see cref="ElfVersionPatcher.MakeRequirementWeak"/> found and did.</summary>
    internal enum ElfPatchOutcome
    {
        /// <summary>The file has no requirement on the version: nothing to do.</summary>
        NotRequired,
        /// <summary>The requirement was already weak: nothing to do.</summary>
        AlreadyWeak,
        /// <summary>The requirement was marked weak and the file replaced atomically.</summary>
        Patched,
    }

    /// <summary>Edits the GNU version-requirement table of an ELF64 little-endian shared library.</summary>
    internal static class ElfVersionPatcher
    {
        private const uint ShtGnuVerneed = 0x6ffffffe;
        private const uint ShtGnuVersym = 0x6fffffff;
        private const uint ShtDynsym = 11;
        private const ushort VerFlagWeak = 0x2;

        /// <summary>
        /// Marks the requirement on <paramref name="versionName"/> weak, provided that the only dynamic
        /// symbols bound to that version are in <paramref name="allowedSymbols"/>. The file is replaced
        /// through a temporary file and a rename, so a process that has the old file mapped keeps it.
        /// </summary>
        /// <exception cref="InvalidDataException">The file is not an ELF64 LE library, or another symbol needs the version.</exception>
        public static ElfPatchOutcome MakeRequirementWeak(string path, string versionName, ICollection<string> allowedSymbols)
        {
            byte[] elf = File.ReadAllBytes(path);
            var sections = ReadSections(elf, path);
            Section verneed = Find(sections, ShtGnuVerneed);
            if (verneed == null)
                return ElfPatchOutcome.NotRequired;

            int flagsOffset = -1;
            int versionIndex = -1;
            ushort flags = 0;
            ForEachRequirement(elf, verneed, sections, delegate (int auxOffset, string name)
            {
                if (name != versionName) return;
                flagsOffset = auxOffset + 4;
                flags = U16(elf, auxOffset + 4);
                versionIndex = U16(elf, auxOffset + 6) & 0x7fff;
            });
            if (flagsOffset < 0)
                return ElfPatchOutcome.NotRequired;
            if ((flags & VerFlagWeak) != 0)
                return ElfPatchOutcome.AlreadyWeak;

            foreach (string symbol in SymbolsBoundTo(elf, sections, versionIndex))
            {
                if (!allowedSymbols.Contains(symbol))
                    throw new InvalidDataException(
                        "'" + path + "' needs symbol '" + symbol + "' at version " + versionName +
                        "; marking that version weak would break the library, so it was left unchanged.");
            }

            elf[flagsOffset] = (byte)((flags | VerFlagWeak) & 0xff);
            elf[flagsOffset + 1] = (byte)((flags | VerFlagWeak) >> 8);
            string temp = path + ".xright-" + Guid.NewGuid().ToString("N") + ".tmp";
            File.WriteAllBytes(temp, elf);
            try
            {
                Rename(temp, path);
            }
            finally
            {
                if (File.Exists(temp)) File.Delete(temp);
            }
            return ElfPatchOutcome.Patched;
        }

        /// <summary>True when the requirement on <paramref name="versionName"/> exists and is not weak.</summary>
        public static bool HasStrictRequirement(string path, string versionName)
        {
            byte[] elf = File.ReadAllBytes(path);
            var sections = ReadSections(elf, path);
            Section verneed = Find(sections, ShtGnuVerneed);
            if (verneed == null) return false;
            bool strict = false;
            ForEachRequirement(elf, verneed, sections, delegate (int auxOffset, string name)
            {
                if (name == versionName && (U16(elf, auxOffset + 4) & VerFlagWeak) == 0) strict = true;
            });
            return strict;
        }

        private static void Rename(string source, string destination)
        {
            // rename(2) replaces the destination atomically; File.Move with overwrite is not in .NET Standard 2.0.
            if (rename(source, destination) != 0)
                throw new IOException("Could not replace '" + destination + "' (errno " + Marshal.GetLastWin32Error() + ").");
        }

        [DllImport("libc", SetLastError = true)]
        private static extern int rename(string oldpath, string newpath);

        private sealed class Section
        {
            public uint Type;
            public long Offset;
            public long Size;
            public uint Link;
            public long EntrySize;
        }

        private static List<Section> ReadSections(byte[] b, string path)
        {
            if (b.Length < 64 || b[0] != 0x7f || b[1] != 'E' || b[2] != 'L' || b[3] != 'F')
                throw new InvalidDataException("'" + path + "' is not an ELF file.");
            if (b[4] != 2 || b[5] != 1)
                throw new InvalidDataException("'" + path + "' is not a 64-bit little-endian ELF file.");
            long shoff = (long)U64(b, 0x28);
            int shentsize = U16(b, 0x3a);
            int shnum = U16(b, 0x3c);
            if (shoff <= 0 || shoff + (long)shentsize * shnum > b.Length)
                throw new InvalidDataException("'" + path + "' has a section table outside the file.");
            var sections = new List<Section>(shnum);
            for (int i = 0; i < shnum; i++)
            {
                int h = (int)shoff + i * shentsize;
                var s = new Section
                {
                    Type = U32(b, h + 4),
                    Offset = (long)U64(b, h + 0x18),
                    Size = (long)U64(b, h + 0x20),
                    Link = U32(b, h + 0x28),
                    EntrySize = (long)U64(b, h + 0x38),
                };
                if (s.Type != 8 /* SHT_NOBITS */ && s.Offset + s.Size > b.Length)
                    throw new InvalidDataException("'" + path + "' has section " + i + " outside the file.");
                sections.Add(s);
            }
            return sections;
        }

        private static Section Find(List<Section> sections, uint type)
        {
            foreach (var s in sections) if (s.Type == type) return s;
            return null;
        }

        private static void ForEachRequirement(byte[] b, Section verneed, List<Section> sections, Action<int, string> visit)
        {
            Section strings = sections[(int)verneed.Link];
            long entry = verneed.Offset;
            while (true)
            {
                int count = U16(b, (int)entry + 2);
                long aux = entry + U32(b, (int)entry + 8);
                for (int k = 0; k < count; k++)
                {
                    visit((int)aux, CString(b, strings.Offset + U32(b, (int)aux + 8)));
                    uint nextAux = U32(b, (int)aux + 12);
                    if (nextAux == 0) break;
                    aux += nextAux;
                }
                uint next = U32(b, (int)entry + 12);
                if (next == 0) break;
                entry += next;
            }
        }

        private static List<string> SymbolsBoundTo(byte[] b, List<Section> sections, int versionIndex)
        {
            var names = new List<string>();
            Section versym = Find(sections, ShtGnuVersym);
            Section dynsym = Find(sections, ShtDynsym);
            if (versym == null || dynsym == null) return names;
            Section strings = sections[(int)dynsym.Link];
            long count = dynsym.Size / Math.Max(1, dynsym.EntrySize);
            for (long i = 0; i < count; i++)
            {
                if ((U16(b, (int)(versym.Offset + 2 * i)) & 0x7fff) != versionIndex) continue;
                long sym = dynsym.Offset + i * dynsym.EntrySize;
                names.Add(CString(b, strings.Offset + U32(b, (int)sym)));
            }
            return names;
        }

        private static string CString(byte[] b, long offset)
        {
            int start = (int)offset, end = start;
            while (end < b.Length && b[end] != 0) end++;
            return Encoding.ASCII.GetString(b, start, end - start);
        }

        private static ushort U16(byte[] b, int o) => (ushort)(b[o] | b[o + 1] << 8);
        private static uint U32(byte[] b, int o) => (uint)(b[o] | b[o + 1] << 8 | b[o + 2] << 16 | b[o + 3] << 24);
        private static ulong U64(byte[] b, int o) => U32(b, o) | (ulong)U32(b, o + 4) << 32;
    }

    /// <summary>Asks the libstdc++ this process uses whether it defines a given symbol version.</summary>
    internal static class LibStdCxx
    {
        private const int RtldNow = 2;

        /// <summary>True when libstdc++.so.6 exports <paramref name="symbol"/> at <paramref name="version"/>.</summary>
        public static bool Defines(string symbol, string version)
        {
            IntPtr handle = dlopen("libstdc++.so.6", RtldNow);
            if (handle == IntPtr.Zero) return false;
            try { return dlvsym(handle, symbol, version) != IntPtr.Zero; }
            finally { dlclose(handle); }
        }

        // libdl.so.2 exists on every glibc: a real library before 2.34, a compatibility stub after.
        [DllImport("libdl.so.2")] private static extern IntPtr dlopen(string file, int mode);
        [DllImport("libdl.so.2")] private static extern IntPtr dlvsym(IntPtr handle, string symbol, string version);
        [DllImport("libdl.so.2")] private static extern int dlclose(IntPtr handle);
    }

    /// <summary>The fix itself: which file, which version, which symbol.</summary>
    internal static class TorchSharpShimFix
    {
        /// <summary>File name of TorchSharp's native shim.</summary>
        public const string ShimFileName = "libLibTorchSharp.so";
        /// <summary>The symbol version that GCC 13 adds and older libstdc++ lacks.</summary>
        public const string Version = "GLIBCXX_3.4.32";
        /// <summary>The only symbol bound to that version; referenced, never called.</summary>
        public const string Symbol = "_ZSt21ios_base_library_initv";

        /// <summary>True where the fix applies: Linux, and a libstdc++ without <see cref="Version"/>.</summary>
        public static bool IsNeeded()
            => RuntimeInformation.IsOSPlatform(OSPlatform.Linux) && !LibStdCxx.Defines(Symbol, Version);

        /// <summary>Applies the fix to one copy of the shim when <see cref="IsNeeded"/>.</summary>
        public static ElfPatchOutcome Apply(string shimPath)
            => ElfVersionPatcher.MakeRequirementWeak(shimPath, Version, new HashSet<string> { Symbol });
    }
}

#if !XRIGHT_LIBRARY
namespace XRight.Build
{
    /// <summary>MSBuild task: applies the shim fix to the copies in a build or publish output folder.</summary>
    public sealed class PatchTorchSharpShim : Microsoft.Build.Utilities.Task
    {
        /// <summary>The output folder (the shim sits in runtimes/linux-x64/native/ or at the top).</summary>
        [Microsoft.Build.Framework.Required]
        public string OutputDirectory { get; set; }

        /// <inheritdoc />
        public override bool Execute()
        {
            if (!XRight.Runtime.NativeFix.TorchSharpShimFix.IsNeeded()) return true;
            string[] candidates =
            {
                System.IO.Path.Combine(OutputDirectory, "runtimes", "linux-x64", "native", XRight.Runtime.NativeFix.TorchSharpShimFix.ShimFileName),
                System.IO.Path.Combine(OutputDirectory, XRight.Runtime.NativeFix.TorchSharpShimFix.ShimFileName),
            };
            foreach (string path in candidates)
            {
                if (!System.IO.File.Exists(path)) continue;
                try
                {
                    var outcome = XRight.Runtime.NativeFix.TorchSharpShimFix.Apply(path);
                    Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Normal, "XRight: " + path + ": " + outcome);
                }
                catch (Exception e)
                {
                    Log.LogError("XRight: could not apply the TorchSharp native fix to '" + path + "': " + e.Message);
                }
            }
            return !Log.HasLoggedErrors;
        }
    }
}
#endif
