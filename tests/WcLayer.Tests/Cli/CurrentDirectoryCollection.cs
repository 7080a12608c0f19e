namespace WcLayer.Tests.Cli;

/// <summary>Tests that change the process's current directory run alone: any other test's relative path would move.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class CurrentDirectoryCollection
{
    public const string Name = "current directory";
}
