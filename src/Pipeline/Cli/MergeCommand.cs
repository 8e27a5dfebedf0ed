using System.CommandLine;
using Pipeline.Runs;

namespace Pipeline.Cli;

/// <summary>`Pipeline merge`: the shards of a run (run --shard I/N) into one folder, identical to a single process's run.</summary>
public static class MergeCommand
{
    public static Command Create()
    {
        var output = SharedOptions.OutFolder("folder for the merged run");
        var shards = new Argument<string[]>("shards") { Description = "the shard folders (0..N-1, any order)", Arity = ArgumentArity.OneOrMore };
        var restart = new Option<bool>("--restart") { Description = "replace a run already in --out (otherwise merge refuses it)" };
        var command = new Command("merge", "Join the shard folders of one run into one run folder.") { output, restart, shards };
        command.SetAction(parse => CommandErrors.Run(() =>
        {
            var outDir = parse.GetValue(output)!.FullName;
            var dirs = parse.GetValue(shards)!;
            var summary = ShardMerge.Merge(dirs, outDir, parse.GetValue(restart));
            Console.WriteLine($"merged {dirs.Length} shards: {summary.Scored} images, {summary.Failed} errors, {summary.Warnings} warnings; results in {outDir}");
        }));
        return command;
    }
}
