namespace WcLayer.Tests.Cli;

/// <summary><c>mount</c> in a copy mode draws the copy's progress on the terminal (overlay copies nothing, so it reports nothing).</summary>
public sealed class MountProgressTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose()
    {
        foreach (string scratch in new[] { _temp["copy"] })
        {
            if (Directory.Exists(scratch))
            {
                _ = CliRunner.RunAsync(["unmount", scratch]).GetAwaiter().GetResult();
            }
        }

        _temp.Dispose();
    }

    [Fact]
    public async Task A_copy_mode_mount_draws_its_progress()
    {
        await File.WriteAllBytesAsync(_temp["base.tar"], await LayerTars.CreateBaseAsync());
        Assert.Equal(0, (await CliRunner.RunAsync(["import", "-i", _temp["base.tar"], _temp["base"]])).ExitCode);
        Assert.Equal(0, (await CliRunner.RunAsync(["create", "-l", _temp["base"], _temp["copy"]])).ExitCode);
        var output = new StringWriter { NewLine = "\n" };
        var error = new StringWriter { NewLine = "\n" };
        var console = new WcLayer.Cli.CliConsole(() => Stream.Null, output, error, ErrorIsTerminal: true, () => Stream.Null);

        Assert.Equal(0, await WcLayer.Cli.Program.RunAsync(["mount", "--mode", "copy", _temp["copy"]], console));

        Assert.Contains("\rmounting: ", error.ToString(), StringComparison.Ordinal);
        Assert.Contains(" entries, ", error.ToString(), StringComparison.Ordinal);
    }
}
