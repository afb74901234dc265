using System.Text.RegularExpressions;
using Emperor.Testing;

namespace Emperor.Vassal.Tests;

/// <summary>chdir, env, unenv, umask, limit-as, limit-nproc, max-fd and chroot, applied before the exec.</summary>
public sealed partial class VassalSetupTests
{
    [Fact(Timeout = Deadlines.Test)]
    public async Task Chdir_IsTheAppsWorkingDirectory()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var box = new Sandbox("chdir");
        await using var guard = new LeakGuard();
        var target = Directory.CreateDirectory(box.Combine("app dir")).FullName;
        var ini = box.Ini([$"chdir = {target}", .. VassalRun.ReportingApp(box.Report)]);
        await using var app = VassalRun.Start(guard, ini, workingDirectory: "/");

        var report = await VassalRun.ReportAfterExitAsync(app, box.Report, cancel);

        Assert.Equal(target, report.WorkingDirectory);
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task Env_SetsAddsAndOverridesVariables()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var box = new Sandbox("env");
        await using var guard = new LeakGuard();
        var ini = box.Ini(["env = EMPEROR_TEST_NEW=a value=with equals", "env = EMPEROR_TEST_OLD=overridden", "env = EMPEROR_TEST_BARE", .. VassalRun.ReportingApp(box.Report)]);
        await using var app = VassalRun.Start(guard, ini, environment: [new("EMPEROR_TEST_OLD", "original"), new("EMPEROR_TEST_KEPT", "kept")]);

        var report = await VassalRun.ReportAfterExitAsync(app, box.Report, cancel);

        Assert.Equal("a value=with equals", report.Environment.GetValueOrDefault("EMPEROR_TEST_NEW"));
        Assert.Equal("overridden", report.Environment.GetValueOrDefault("EMPEROR_TEST_OLD"));
        Assert.Equal("", report.Environment.GetValueOrDefault("EMPEROR_TEST_BARE"));
        Assert.Equal("kept", report.Environment.GetValueOrDefault("EMPEROR_TEST_KEPT"));
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task Unenv_RemovesInheritedAndConfiguredVariables()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var box = new Sandbox("unenv");
        await using var guard = new LeakGuard();
        var ini = box.Ini(["env = EMPEROR_TEST_SET=1", "unenv = EMPEROR_TEST_SET", "unenv = EMPEROR_TEST_INHERITED", .. VassalRun.ReportingApp(box.Report)]);
        await using var app = VassalRun.Start(guard, ini, environment: [new("EMPEROR_TEST_INHERITED", "x"), new("EMPEROR_TEST_KEPT", "kept")]);

        var report = await VassalRun.ReportAfterExitAsync(app, box.Report, cancel);

        Assert.DoesNotContain("EMPEROR_TEST_SET", report.Environment.Keys);
        Assert.DoesNotContain("EMPEROR_TEST_INHERITED", report.Environment.Keys);
        Assert.Equal("kept", report.Environment.GetValueOrDefault("EMPEROR_TEST_KEPT"));
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task Umask_IsTheAppsUmask()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var box = new Sandbox("umask");
        await using var guard = new LeakGuard();
        var ini = box.Ini(["umask = 027", .. VassalRun.ReportingApp(box.Report)]);
        await using var app = VassalRun.Start(guard, ini);

        var report = await VassalRun.ReportAfterExitAsync(app, box.Report, cancel);

        Assert.Equal(Convert.ToInt32("027", 8), report.Umask);
    }

    /// <summary>
    /// uWSGI applies <c>umask</c> while it parses the options, so every socket file is created under it; a vassal
    /// with <c>umask = 077</c> and no chmod-socket gets a socket only its owner can connect to.
    /// </summary>
    [Fact(Timeout = Deadlines.Test)]
    public async Task Umask_AlsoAppliesToTheSocketFiles()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var box = new Sandbox("umask-socket");
        await using var guard = new LeakGuard();
        var path = box.Combine("app.sock");
        var ini = box.Ini(["umask = 077", $"socket = {path}", .. VassalRun.ReportingApp(box.Report)]);

        // Started with umask 000, so whatever the socket file gets comes from the config.
        await using var app = VassalRun.Start(guard, ini, wrapper: ["/bin/sh", "-c", "umask 000; exec \"$0\" \"$@\""]);

        var report = await VassalRun.ReportAfterExitAsync(app, box.Report, cancel);

        Assert.Equal(Convert.ToInt32("077", 8), report.Umask);
        Assert.Equal("140700", Convert.ToString(Native.Stat(path).Mode, 8)); // S_IFSOCK | 0777 & ~077
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task LimitAsLimitNprocAndMaxFd_SetSoftAndHardLimits()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var box = new Sandbox("rlimits");
        await using var guard = new LeakGuard();

        // Large values: .NET needs a few GiB of address space to start, and without CAP_SYS_RESOURCE no hard
        // limit may go up, so max-fd stays below the usual hard limits.
        var ini = box.Ini(["limit-as = 16384", "limit-nproc = 5000", "max-fd = 4096", .. VassalRun.ReportingApp(box.Report)]);
        await using var app = VassalRun.Start(guard, ini);

        var report = await VassalRun.ReportAfterExitAsync(app, box.Report, cancel);

        Assert.Equal(new ResourceLimit(16384UL << 20, 16384UL << 20), report.AddressSpaceLimit);
        Assert.Equal(new ResourceLimit(5000, 5000), report.ProcessesLimit);
        Assert.Equal(4096UL, report.OpenFilesLimit.Hard); // the runtime lifts the soft limit to the hard one itself
    }

    [Fact(Timeout = Deadlines.Test)]
    public async Task Chroot_WithNumericIds_RunsTheAppInsideTheNewRootAsThatUser()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var box = new Sandbox("chroot");
        await using var guard = new LeakGuard();
        var root = MakeShellChroot(box);
        var ini = box.Ini([$"chroot = {root}", "uid = 65534", "gid = 65534", "unprivileged-binary-patch-arg = pwd > /where"]);
        await using var app = VassalRun.Start(guard, ini);

        Assert.True(await app.WaitForExitAndOutputAsync(Deadlines.Child, cancel) == 0, app.Output);

        var written = Path.Combine(root, "where");
        Assert.Equal("/\n", File.ReadAllText(written)); // written through the new root, from its "/"
        Assert.Equal((65534u, 65534u), Native.Owner(written));
    }

    /// <summary>uWSGI resolves uid/gid names while parsing the options, so a chroot without /etc/passwd does not matter.</summary>
    [Fact(Timeout = Deadlines.Test)]
    public async Task Chroot_WithUserAndGroupNames_ResolvesTheNamesOutsideTheNewRoot()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var box = new Sandbox("chroot-names");
        await using var guard = new LeakGuard();
        var root = MakeShellChroot(box);
        var ini = box.Ini([$"chroot = {root}", "uid = nobody", "gid = nogroup", "unprivileged-binary-patch-arg = pwd > /where"]);
        await using var app = VassalRun.Start(guard, ini);

        Assert.True(await app.WaitForExitAndOutputAsync(Deadlines.Child, cancel) == 0, app.Output);

        var written = Path.Combine(root, "where");
        Assert.Equal((65534u, 65534u), Native.Owner(written));
    }

    /// <summary>A directory holding /bin/sh and the libraries it needs (nothing else: no /etc, no /proc), writable by all.</summary>
    private static string MakeShellChroot(Sandbox box)
    {
        var root = Directory.CreateDirectory(box.Combine("root")).FullName;
        File.SetUnixFileMode(root, (UnixFileMode)Convert.ToInt32("777", 8));
        Directory.CreateDirectory(Path.Combine(root, "bin"));
        File.Copy("/bin/sh", Path.Combine(root, "bin/sh"));
        foreach (Match library in LibraryPath().Matches(ThrowawayAccount.Run("/usr/bin/ldd", "/bin/sh")))
        {
            var target = root + library.Value;
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(library.Value, target);
        }

        return root;
    }

    [GeneratedRegex(@"(?<=\s)/\S+(?=\s\(0x)")]
    private static partial Regex LibraryPath();
}
