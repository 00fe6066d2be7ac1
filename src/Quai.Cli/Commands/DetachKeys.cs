namespace Quai.Cli.Commands;

/// <summary>docker's detach key sequence ("ctrl-p,ctrl-q" by default) as bytes, and its matcher (moby/term escapeProxy).</summary>
internal sealed class DetachKeys
{
    private readonly byte[] _keys;
    private int _matched;

    private DetachKeys(byte[] keys) => _keys = keys;

    /// <summary>Parses "ctrl-p,ctrl-q", "a,ctrl-x" etc.</summary>
    public static DetachKeys Parse(string? spec)
    {
        spec = string.IsNullOrEmpty(spec) ? "ctrl-p,ctrl-q" : spec;
        var keys = new List<byte>();
        foreach (var k in spec.Split(','))
        {
            if (k.Length == 1)
            {
                keys.Add((byte)k[0]);
            }
            else if (k.StartsWith("ctrl-", StringComparison.Ordinal) && k.Length == 6)
            {
                var c = char.ToLowerInvariant(k[5]);
                keys.Add(c switch
                {
                    >= 'a' and <= 'z' => (byte)(c - 'a' + 1),
                    '@' => 0,
                    '[' => 27,
                    '\\' => 28,
                    ']' => 29,
                    '^' => 30,
                    '_' => 31,
                    _ => throw new CliException($"Unknown character: '{k}'", 125),
                });
            }
            else
            {
                throw new CliException($"Unknown character: '{k}'", 125);
            }
        }
        return new DetachKeys([.. keys]);
    }

    /// <summary>
    /// Filters <paramref name="input"/>: bytes that may start the sequence are held back; returns
    /// the bytes to forward and whether the whole sequence was typed (then the session detaches).
    /// </summary>
    public (byte[] Forward, bool Detach) Feed(ReadOnlySpan<byte> input)
    {
        var output = new List<byte>(input.Length);
        foreach (var b in input)
        {
            if (b == _keys[_matched])
            {
                _matched++;
                if (_matched == _keys.Length)
                {
                    _matched = 0;
                    return ([.. output], true);
                }
                continue;
            }
            // Mismatch: the held-back prefix was ordinary input after all.
            output.AddRange(_keys.AsSpan(0, _matched).ToArray());
            _matched = 0;
            if (b == _keys[0])
            {
                _matched = 1;
                if (_keys.Length == 1)
                {
                    _matched = 0;
                    return ([.. output], true);
                }
                continue;
            }
            output.Add(b);
        }
        return ([.. output], false);
    }
}
