using System.CommandLine;
using System.CommandLine.Parsing;

namespace WcLayer.Cli;

/// <summary>
/// Words the first problem of a parsed command line as one line, with the closest known command or option when the
/// user mistyped one: a mistyped flag must never silently become a path.
/// </summary>
internal static class UsageErrors
{
    /// <summary>Returns the first usage error of <paramref name="parseResult"/>, or <see langword="null"/> when the command line is well-formed.</summary>
    /// <param name="parseResult">The parsed command line.</param>
    /// <returns>The message, without the command prefix.</returns>
    public static string? Describe(ParseResult parseResult)
    {
        Command command = parseResult.CommandResult.Command;

        // A mistyped option comes first: it is why a later token was left over ("--outptu x": x is not the problem).
        if (parseResult.UnmatchedTokens.FirstOrDefault(LooksLikeAnOption) is { } unknownOption)
        {
            return Unknown(command, unknownOption);
        }

        if (FirstDashValue(parseResult) is { } dashValue)
        {
            return Unknown(command, dashValue);
        }

        if (parseResult.UnmatchedTokens.Count > 0)
        {
            return Unknown(command, parseResult.UnmatchedTokens[0]);
        }

        if (command.Subcommands.Count > 0 && command.Action is null)
        {
            return $"a command is required; see '{FullName(command)} --help' for the list";
        }

        if (parseResult.Errors.Count > 0)
        {
            return $"{parseResult.Errors[0].Message.TrimEnd('.')} (see '{FullName(command)} --help')";
        }

        return null;
    }

    /// <summary>The command as typed, for the message prefix (<c>wclayer import</c>).</summary>
    /// <param name="command">The command.</param>
    /// <returns>Its full name.</returns>
    public static string FullName(Command command)
    {
        var names = new Stack<string>();
        for (Command? c = command; c is not null; c = c.Parents.OfType<Command>().FirstOrDefault())
        {
            names.Push(c.Name);
        }

        return string.Join(' ', names);
    }

    private static string Unknown(Command command, string token)
    {
        string help = $"see '{FullName(command)} --help'";
        if (token.StartsWith('-'))
        {
            string? option = ClosestMatch.Find(token, OptionNames(command));
            return option is null
                ? $"unknown option '{token}' ({help}; a path that starts with '-' goes after '--' or as ./{token})"
                : $"unknown option '{token}'; did you mean '{option}'? ({help})";
        }

        if (command.Subcommands.Count > 0)
        {
            string? subcommand = ClosestMatch.Find(token, command.Subcommands.Select(c => c.Name));
            return subcommand is null
                ? $"unknown command '{token}' ({help} for the list)"
                : $"unknown command '{token}'; did you mean '{subcommand}'? ({help})";
        }

        return $"unexpected argument '{token}' ({help})";
    }

    // A token such as "--inptu" that lands in an argument or an option's value, before any "--", is a mistyped
    // option far more often than a path; the few paths that do start with '-' can still be written after "--".
    private static string? FirstDashValue(ParseResult parseResult)
    {
        int doubleDash = IndexOf(parseResult.Tokens, t => t.Type == TokenType.DoubleDash);
        for (SymbolResult? command = parseResult.CommandResult; command is CommandResult c; command = c.Parent)
        {
            foreach (Token token in c.Children.SelectMany(child => child.Tokens))
            {
                if (LooksLikeAnOption(token.Value) && !IsAfter(parseResult.Tokens, token, doubleDash))
                {
                    return token.Value;
                }
            }
        }

        return null;
    }

    // "-" alone is standard input.
    private static bool LooksLikeAnOption(string token) => token.Length > 1 && token[0] == '-';

    private static bool IsAfter(IReadOnlyList<Token> all, Token token, int doubleDash) =>
        doubleDash >= 0 && IndexOf(all, t => ReferenceEquals(t, token)) > doubleDash;

    private static int IndexOf(IReadOnlyList<Token> tokens, Func<Token, bool> match)
    {
        for (int i = 0; i < tokens.Count; i++)
        {
            if (match(tokens[i]))
            {
                return i;
            }
        }

        return -1;
    }

    private static IEnumerable<string> OptionNames(Command command)
    {
        for (Command? c = command; c is not null; c = c.Parents.OfType<Command>().FirstOrDefault())
        {
            foreach (Option option in c.Options)
            {
                if (c == command || option.Recursive)
                {
                    yield return option.Name;
                    foreach (string alias in option.Aliases)
                    {
                        yield return alias;
                    }
                }
            }
        }
    }
}
