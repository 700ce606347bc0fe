# bash completion for newsidx: commands, each command's options (read from
# the binary's own help, so they never go stale), option values, files for
# add and sync, and article ids for show, rm, similar and diff (from the
# index, through the hidden 'newsidx complete-ids PREFIX': an index range,
# milliseconds on any archive; the --db given on the line is honoured).
# Installed as share/bash-completion/completions/newsidx.

_newsidx()
{
	local nx=${COMP_WORDS[0]} cur=${COMP_WORDS[COMP_CWORD]} prev=
	local cmd= db= i w nargs=0
	[ "$COMP_CWORD" -gt 0 ] && prev=${COMP_WORDS[COMP_CWORD - 1]}
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		case $w in
		--db | --output | -o | --limit | --offset | --sort | --since | --until | --source | --credit | \
		--author | --lang | --facets | --fragments | --wait | --listen | --threads | --max-connections | \
		--batch | --format | --index)
			[ "$w" = --db ] && db=${COMP_WORDS[i + 1]}
			[ "$w" = --batch ] && [ "$cmd" != sync ] && continue
			i=$((i + 1)) ;;
		--db=*) db=${w#--db=} ;;
		-*) ;;
		*) if [ -z "$cmd" ]; then cmd=$w; else nargs=$((nargs + 1)); fi ;;
		esac
	done
	COMPREPLY=()
	case $prev in
	--db | --output | -o)
		COMPREPLY=($(compgen -f -- "$cur")); compopt -o filenames 2>/dev/null; return ;;
	--sort) COMPREPLY=($(compgen -W "relevance newest oldest" -- "$cur")); return ;;
	--format) COMPREPLY=($(compgen -W "jsonl opensearch" -- "$cur")); return ;;
	--facets) COMPREPLY=($(compgen -W "source month credit author" -- "$cur")); return ;;
	--limit | --offset | --since | --until | --source | --credit | --author | --lang | --fragments | \
	--wait | --listen | --threads | --max-connections | --index)
		return ;;
	esac
	if [ -z "$cmd" ]; then
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--db --help --version" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$("$nx" --help 2>/dev/null |
				awk '/^Commands:/ { c = 1; next } c && /^  [a-z]/ { print $1 } c && /^$/ { c = 0 }')" -- "$cur"))
		fi
		return
	fi
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$("$nx" help "$cmd" 2>/dev/null | grep -o -- '--[a-z][a-z-]*' | sort -u)" -- "$cur"))
		return
	fi
	case $cmd in
	add | sync)
		COMPREPLY=($(compgen -f -- "$cur")); compopt -o filenames 2>/dev/null ;;
	show | rm | similar | diff)
		[ "$cmd" = diff ] && [ "$nargs" -gt 0 ] && return
		COMPREPLY=($("$nx" ${db:+--db "$db"} complete-ids "$cur" 2>/dev/null | cut -f1)) ;;
	help)
		COMPREPLY=($(compgen -W "$("$nx" --help 2>/dev/null |
			awk '/^Commands:/ { c = 1; next } c && /^  [a-z]/ { print $1 } c && /^$/ { c = 0 }')" -- "$cur")) ;;
	esac
}
complete -F _newsidx newsidx
