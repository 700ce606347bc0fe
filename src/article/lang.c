/*
 * lang.c - guess an article's language, and stop words.
 *
 * The guess looks at the script first (Han with kana is Japanese, Hangul
 * Korean, Thai, Greek, Arabic, Hebrew, Devanagari...), then, for Latin and
 * Cyrillic text, counts the most frequent short words of each language.
 */
#include <string.h>

#include "util/text.h"
#include "article/lang.h"

typedef struct lang_words {
	const char *tag;
	const char *words; /* space-separated, lower case */
} lang_words;

static const lang_words common[] = {
	{ "en", " the of and to in a is that for it on was with as he be by at from his an are have has not this but they were which said its had their will been who would more or after also two new " },
	{ "de", " der die und in den von zu das mit sich des auf für ist im dem nicht ein eine als auch es an werden aus er hat dass sie nach wird bei einer um am sind noch wie einem über einen so zum war " },
	{ "fr", " de la le et les des en du un une est que pour dans qui par sur au pas plus il ne se sont avec ce a aux été elle ou mais son sa cette ses leur nous comme " },
	{ "es", " de la que el en los del las un por con una para es al se lo como más su pero sus le ya o fue este ha sí porque esta entre cuando muy sin sobre también " },
	{ "it", " di che il la per un in non una sono del della le si da con i al dei è ha gli anche più nel alla ma come questo delle sul dalla stato essere " },
	{ "pt", " de que o a do da em um para é com não uma os no se na por mais as dos como mas foi ao ele das tem à seu sua ou ser quando muito há nos já está também " },
	{ "nl", " de het een van en in is dat op te zijn voor met die niet aan er om ook als bij door maar nog wordt tot uit dan naar heeft worden over kan deze " },
	{ "sv", " och i att det som en på är av för med till den har de inte om ett var jag men ska vi kan så från eller också sina efter " },
	{ "da", " og i at det som en på er af for med til den har de ikke om et var jeg men skal vi kan så fra eller også efter blev " },
	{ "no", " og i det som en på er av for med til den har de ikke om et var jeg men skal vi kan så fra eller også etter ble " },
	{ "fi", " ja on ei se että hän oli ovat mutta kun myös tai sen joka ole nyt kuin vain mukaan jo ollut vuonna " },
	{ "ru", " и в не на что с по он как это к а из у за от о для его то но же было так все она был также только бы при ее их или были уже " },
	{ "uk", " і в не на що з та до як це у за від про для його але же було так все вона був також тільки при її їх або вже " },
	{ "tr", " ve bir bu da de için ile olarak daha çok olan gibi en ama ne kadar sonra var ise değil her o şu " },
	{ "ro", " și de în la a cu care pe din nu să este se o un mai pentru au fost sau ca dar " },
	{ "hu", " a az és hogy nem is egy de meg van volt már csak mint el ki be " },
	{ "id", " yang dan di dari ini itu dengan untuk tidak dalam akan pada juga ke karena ada oleh mereka " },
	{ "pl", " i w nie na się z do to że jest jak o co ale po od za jego tak już przez dla są " },
	{ "cs", " a v se na je že s z do to jako o by ale jsou za od po pro tak již také " },
};

#define NCOMMON (sizeof(common) / sizeof(common[0]))

static int in_list(const char *list, const char *w, size_t n)
{
	const char *p = list;
	char key[40];

	if (n == 0 || n + 2 >= sizeof(key))
		return 0;
	key[0] = ' ';
	memcpy(key + 1, w, n);
	key[n + 1] = ' ';
	key[n + 2] = '\0';
	return strstr(p, key) != NULL;
}

const char *nx_lang_guess(const char *text, size_t len)
{
	size_t i = 0, n = 0, ws = 0, scanned = 0, nwords = 0, best = 0, k = 0;
	size_t score[NCOMMON];
	size_t han = 0, kana = 0, hangul = 0, thai = 0, cyr = 0, greek = 0, arabic = 0, hebrew = 0,
	       deva = 0, latin = 0, armenian = 0;
	uint32_t cp = 0;
	char word[40];
	size_t wl = 0;
	int best_i = -1;

	memset(score, 0, sizeof(score));
	if (len > 20000)
		len = 20000;
	for (i = 0; i <= len; i += n) {
		if (i < len) {
			n = nx_utf8_decode(text + i, len - i, &cp);
			if (n == 0)
				break;
		} else {
			n = 1;
			cp = ' ';
		}
		scanned++;
		if (cp >= 0x4E00 && cp <= 0x9FFF) han++;
		else if (cp >= 0x3040 && cp <= 0x30FF) kana++;
		else if (cp >= 0xAC00 && cp <= 0xD7AF) hangul++;
		else if (cp >= 0x0E00 && cp <= 0x0E7F) thai++;
		else if (cp >= 0x0400 && cp <= 0x04FF) cyr++;
		else if (cp >= 0x0370 && cp <= 0x03FF) greek++;
		else if (cp >= 0x0600 && cp <= 0x06FF) arabic++;
		else if (cp >= 0x0590 && cp <= 0x05FF) hebrew++;
		else if (cp >= 0x0900 && cp <= 0x097F) deva++;
		else if (cp >= 0x0530 && cp <= 0x058F) armenian++;
		else if (nx_isalpha((int)cp) || (cp >= 0xC0 && cp <= 0x24F)) latin++;
		/* words for the frequency vote */
		if (nx_isalpha((int)cp) || (cp >= 0xC0 && cp <= 0x24F) || (cp >= 0x0400 && cp <= 0x04FF)) {
			if (wl + n < sizeof(word) - 1) {
				if (cp < 0x80)
					word[wl++] = (char)nx_tolower((int)cp);
				else if (cp >= 0x0410 && cp <= 0x042F) {
					/* Cyrillic capitals to lower case */
					uint32_t lc = cp + 32;

					word[wl++] = (char)(0xC0 | (lc >> 6));
					word[wl++] = (char)(0x80 | (lc & 0x3F));
				} else {
					memcpy(word + wl, text + i, n);
					wl += n;
				}
			}
		} else if (wl > 0) {
			nwords++;
			for (k = 0; k < NCOMMON; k++)
				if (in_list(common[k].words, word, wl))
					score[k]++;
			wl = 0;
		}
	}
	(void)ws;
	if (scanned == 0)
		return NULL;
	if (kana > 0 && kana * 20 >= han)
		return "ja";
	if (han > 10 && han >= latin)
		return "zh";
	if (hangul > 10 && hangul >= latin)
		return "ko";
	if (thai > 10 && thai >= latin)
		return "th";
	if (greek > 10 && greek >= latin)
		return "el";
	if (arabic > 10 && arabic >= latin)
		return "ar";
	if (hebrew > 10 && hebrew >= latin)
		return "he";
	if (deva > 10 && deva >= latin)
		return "hi";
	if (armenian > 10 && armenian >= latin)
		return "hy";
	for (k = 0; k < NCOMMON; k++) {
		if (score[k] > best) {
			best = score[k];
			best_i = (int)k;
		}
	}
	if (cyr > 10 && cyr >= latin) {
		if (best_i >= 0 && (strcmp(common[best_i].tag, "uk") == 0))
			return "uk";
		return "ru";
	}
	/* at least a few hits and a tenth of the words to be sure */
	if (best_i < 0 || best < 3 || best * 10 < nwords)
		return NULL;
	return common[best_i].tag;
}

/* English stop words: they do not count against query coverage. */
static const char stop_en[] =
	" a about above after again against all am an and any are as at be because been before being"
	" below between both but by can could did do does doing down during each few for from further"
	" had has have having he her here hers herself him himself his how i if in into is it its itself"
	" just me more most my myself no nor not now of off on once only or other our ours ourselves out"
	" over own same she should so some such than that the their theirs them themselves then there"
	" these they this those through to too under until up very was we were what when where which"
	" while who whom why will with would you your yours yourself yourselves also upon shall may might"
	" must us ";

int nx_is_stopword(const char *word, size_t len, const char *lang)
{
	size_t k = 0;

	if (lang == NULL || strcmp(lang, "en") == 0) {
		if (in_list(stop_en, word, len))
			return 1;
		if (lang != NULL)
			return 0;
	}
	for (k = 0; k < NCOMMON; k++) {
		if (lang != NULL && strcmp(common[k].tag, lang) != 0)
			continue;
		if (strcmp(common[k].tag, "en") != 0 && in_list(common[k].words, word, len))
			return 1;
	}
	return 0;
}

void nx_lang_normalize(char *tag)
{
	size_t i = 0;

	if (tag == NULL)
		return;
	for (i = 0; tag[i] != '\0'; i++) {
		if (tag[i] == '-' || tag[i] == '_' || tag[i] == ' ' || tag[i] == ';' || tag[i] == ',') {
			tag[i] = '\0';
			break;
		}
		tag[i] = (char)nx_tolower((unsigned char)tag[i]);
	}
}
