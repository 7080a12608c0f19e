using System.CommandLine;

namespace WcLayer.Cli;

/// <summary><c>wclayer create [-l parent]... &lt;scratch&gt;</c>: hcsshim's <c>create</c>, a new writable (scratch) layer.</summary>
internal static class CreateCommand
{
    private const string Name = "create";

    public static Command Create(CliConsole console, Option<bool> verbose)
    {
        Option<string[]> parents = LayerOptions.Parents("A read-only parent layer (at least one); repeat it, immediate parent first, base layer last.");
        Argument<string> scratch = LayerOptions.Layer("scratch", "The new scratch layer folder; it must not exist or be empty.");
        var command = new Command(Name, "Create a new writable container layer (scratch) on top of read-only layers.")
        {
            parents,
            scratch,
        };
        command.SetAction((parseResult, _) => CommandRunner.RunAsync(console, Name, parseResult.GetValue(verbose), () =>
        {
            IReadOnlyList<string> parentPaths = LayerOptions.Normalize(parseResult.GetValue(parents), Name, needOne: true);
            LayerStore.Default.CreateScratchLayer(Path.GetFullPath(parseResult.GetValue(scratch)!), parentPaths);
            return Task.CompletedTask;
        }));
        return command;
    }
}
