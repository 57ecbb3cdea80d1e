using XRight.Cli.Config;
using static XRight.Tests.Cli.CliFixture;

namespace XRight.Tests.Cli;

/// <summary>libtorch threads follow the scheduler's allocation when the config leaves them at 0.</summary>
[TestClass]
public sealed class ThreadsTests
{
    [TestMethod]
    public void ThreadsComeFromSlurmsCpusPerTaskElseTheCoresTheProcessMayUseAndAConfigValueWins()
    {
        var saved = Environment.GetEnvironmentVariable("SLURM_CPUS_PER_TASK");
        using var dir = new TempDirectory();
        WriteModelAndData(dir.Path, instructions: 4, preferences: 4);
        var file = Path.Combine(dir.Path, "run.json");
        File.WriteAllText(file, Config(sweep: false).Replace("\"threads\": 1", "\"threads\": 0"));
        try
        {
            Environment.SetEnvironmentVariable("SLURM_CPUS_PER_TASK", "3");
            Assert.AreEqual(3, ConfigLoader.Load(file, needSweep: false).Options.Runtime.Threads);
            Environment.SetEnvironmentVariable("SLURM_CPUS_PER_TASK", null);
            // .NET's ProcessorCount follows the affinity mask (and a container's CPU limit) on Linux.
            Assert.AreEqual(Environment.ProcessorCount, ConfigLoader.Load(file, needSweep: false).Options.Runtime.Threads);
            Environment.SetEnvironmentVariable("SLURM_CPUS_PER_TASK", "3");
            File.WriteAllText(file, Config(sweep: false).Replace("\"threads\": 1", "\"threads\": 2"));
            Assert.AreEqual(2, ConfigLoader.Load(file, needSweep: false).Options.Runtime.Threads, "a thread count in the config is kept");
        }
        finally
        {
            Environment.SetEnvironmentVariable("SLURM_CPUS_PER_TASK", saved);
        }
    }
}
