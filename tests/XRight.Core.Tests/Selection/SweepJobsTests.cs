using XRight.Selection;
using XRight.Selection.Jobs;
using XRight.Tests.Training;
using XRight.Training;

namespace XRight.Tests.Selection;

[TestClass]
public sealed class SweepJobsTests
{
    private static SweepInputs Inputs(JointTrainerOptions? options = null)
    {
        using var probe = TinyTask.Model(1);
        return new SweepInputs
        {
            Options = options ?? TinyTask.Options(JointStrategy.AlRight) with { Checkpoints = new() { Interval = 4 } },
            Data = TinyTask.Data(),
            CreateModel = () => TinyTask.Model(1),
            ModelIdentity = ContentHash.OfModel(probe),
        };
    }

    private static ParetoSweepOptions Sweep(string directory) => new()
    {
        Strategies = [JointStrategy.AlRight],
        Lambdas = [0.5],
        WorkingDirectory = directory,
    };

    private static SweepJobs Jobs(string directory, SweepInputs? inputs = null, TimeSpan? timeout = null)
        => new(Sweep(directory), inputs ?? Inputs(), new PretrainedFolderCandidateTrainer())
        {
            DependencyTimeout = timeout ?? TimeSpan.FromMinutes(5),
            PollInterval = TimeSpan.FromMilliseconds(50),
        };

    [TestMethod]
    public void ASweepRunJobByJobSelectsExactlyWhatTheInProcessSweepSelects()
    {
        using var dir = new TempDirectory();
        var inProcess = new ParetoSweep(Sweep(Path.Combine(dir.Path, "in-process"))).Run(Inputs(), new PretrainedFolderCandidateTrainer());

        var jobs = Jobs(Path.Combine(dir.Path, "jobs"));
        var manifest = jobs.Plan();
        // The reference (InitialModel is shared), f*, ALRIGHT λ=0.5 and Sequential (1,1) for Epochs = 2.
        CollectionAssert.AreEqual(new[] { "reference", "optimum", "alright-l0.5", "sequential-1-1" }, manifest.Jobs.Select(j => j.Id).ToArray());
        CollectionAssert.AreEqual(new[] { 2, 3 }, manifest.CandidateIndexes.ToArray());
        CollectionAssert.AreEqual(new[] { 0, 1 }, manifest.PrepareIndexes.ToArray());
        CollectionAssert.AreEqual(new[] { "reference" }, manifest.Jobs[1].DependsOn.ToArray());
        CollectionAssert.AreEqual(new[] { "reference", "optimum" }, manifest.Jobs[3].DependsOn.ToArray());
        Assert.AreEqual(4, manifest.Jobs.Select(j => j.Key).Distinct().Count(), "every job has its own key");
        Assert.IsTrue(jobs.Status().All(s => s.State == SweepJobState.Pending));

        var early = Assert.Throws<InvalidOperationException>(() => jobs.Select());
        StringAssert.Contains(early.Message, "4 of 4 jobs are not done");
        StringAssert.Contains(early.Message, "2 'ALRIGHT λ=0.5': Pending");

        foreach (var job in manifest.Jobs) Assert.AreEqual(SweepJobOutcome.Completed, jobs.Run(job.Index));
        Assert.IsTrue(jobs.Status().All(s => s.State == SweepJobState.Done && !s.Reused && s.Worker == SweepJobs.Worker));
        var selected = jobs.Select();

        Assert.AreEqual(inProcess.Optimum, selected.Optimum, "f* bit for bit");
        Assert.AreEqual(inProcess.Report.Chosen, selected.Report.Chosen);
        CollectionAssert.AreEqual(inProcess.Report.Front.Select(c => c.Candidate.Name).ToArray(), selected.Report.Front.Select(c => c.Candidate.Name).ToArray());
        Assert.AreEqual(inProcess.Report.Ideal, selected.Report.Ideal);
        foreach (var (a, b) in inProcess.Report.Candidates.Zip(selected.Report.Candidates))
        {
            Assert.AreEqual(a.Candidate.Name, b.Candidate.Name);
            Assert.AreEqual(a.Candidate.FDpo, b.Candidate.FDpo, 0.0, a.Candidate.Name);
            Assert.AreEqual(a.Candidate.FSft, b.Candidate.FSft, 0.0, a.Candidate.Name);
            Assert.AreEqual(a.Candidate.Run.Steps, b.Candidate.Run.Steps);
            Assert.IsFalse(b.Candidate.Reused);
        }

        // Idempotent: every job is done with the same key, so nothing runs again.
        var again = Jobs(Path.Combine(dir.Path, "jobs"));
        foreach (var job in manifest.Jobs) Assert.AreEqual(SweepJobOutcome.AlreadyDone, again.Run(job.Index));
        var outOfRange = Assert.Throws<ArgumentOutOfRangeException>(() => again.Run(4));
        StringAssert.Contains(outOfRange.Message, "has jobs 0 … 3; there is no job 4");
    }

    [TestMethod]
    public void ACandidateWaitsForItsDependenciesAndFailsClearlyWhenTheyDoNotCome()
    {
        using var dir = new TempDirectory();
        var jobs = Jobs(dir.Path, timeout: TimeSpan.FromMilliseconds(300));
        jobs.Plan();
        var timeout = Assert.Throws<TimeoutException>(() => jobs.Run(2));
        StringAssert.Contains(timeout.Message, "Job 2 'ALRIGHT λ=0.5' needs job 0 'reference', which is not started");
        Assert.AreEqual(SweepJobState.Failed, jobs.Status()[2].State);
        StringAssert.Contains(jobs.Status()[2].Error, "TimeoutException");
        Assert.IsFalse(Directory.Exists(Path.Combine(dir.Path, "checkpoints", "alright-l0.5")), "nothing was trained");
    }

    [TestMethod]
    public void AJobHeldByAnotherWorkerIsNotRunTwice()
    {
        using var dir = new TempDirectory();
        var jobs = Jobs(dir.Path, timeout: TimeSpan.FromMilliseconds(300));
        jobs.Plan();
        var claim = Path.Combine(dir.Path, SweepJobs.JobsFolder, "reference.claim");
        using (new FileStream(claim, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
        {
            File.WriteAllText(Path.Combine(dir.Path, SweepJobs.JobsFolder, "reference.owner"), "other-host:42");
            Assert.AreEqual(SweepJobState.Running, jobs.Status()[0].State);
            Assert.AreEqual("other-host:42", jobs.Status()[0].Worker);
            var held = Assert.Throws<TimeoutException>(() => jobs.Run(0));
            StringAssert.Contains(held.Message, "Job 0 'reference' is held by worker other-host:42");
            Assert.IsFalse(File.Exists(Path.Combine(dir.Path, "reference.cache")), "the held job did not run here");
        }
        // The holder is gone (its lock with it): the job runs.
        Assert.AreEqual(SweepJobOutcome.Completed, jobs.Run(0));
        Assert.IsTrue(File.Exists(Path.Combine(dir.Path, "reference.cache")));
    }

    [TestMethod]
    public void WorkersWithOtherInputsThanThePlanRefuseToRun()
    {
        using var dir = new TempDirectory();
        Jobs(dir.Path).Plan();
        var other = Inputs(TinyTask.Options(JointStrategy.AlRight) with { Optimizer = new() { LearningRate = 2e-2 } });
        var e = Assert.Throws<InvalidOperationException>(() => Jobs(dir.Path, other).Run(0));
        StringAssert.Contains(e.Message, "Job 0 'reference' of the manifest in");
        StringAssert.Contains(e.Message, "the config, data or base model changed since the sweep was planned");
        Assert.IsFalse(File.Exists(Path.Combine(dir.Path, "reference.cache")));
    }

    [TestMethod]
    public void TheSchedulersIndexComesFromSlurmElseKubernetes()
    {
        var saved = (Environment.GetEnvironmentVariable("SLURM_ARRAY_TASK_ID"), Environment.GetEnvironmentVariable("JOB_COMPLETION_INDEX"));
        try
        {
            Environment.SetEnvironmentVariable("SLURM_ARRAY_TASK_ID", null);
            Environment.SetEnvironmentVariable("JOB_COMPLETION_INDEX", null);
            Assert.IsNull(SweepJobs.IndexFromEnvironment());
            Environment.SetEnvironmentVariable("JOB_COMPLETION_INDEX", "7");
            Assert.AreEqual(7, SweepJobs.IndexFromEnvironment());
            Environment.SetEnvironmentVariable("SLURM_ARRAY_TASK_ID", "3");
            Assert.AreEqual(3, SweepJobs.IndexFromEnvironment());
            Environment.SetEnvironmentVariable("SLURM_ARRAY_TASK_ID", "-1");
            StringAssert.Contains(Assert.Throws<FormatException>(() => SweepJobs.IndexFromEnvironment()).Message, "SLURM_ARRAY_TASK_ID is '-1'");
        }
        finally
        {
            Environment.SetEnvironmentVariable("SLURM_ARRAY_TASK_ID", saved.Item1);
            Environment.SetEnvironmentVariable("JOB_COMPLETION_INDEX", saved.Item2);
        }
    }
}
