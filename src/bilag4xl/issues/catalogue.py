"""The catalogue of issue codes (as pyxform's ErrorCode): a stable slug, a severity, and
message templates in Danish and English that say where the problem is and how to fix it.

Codes are part of the JSON contract: add new ones, never rename. `make` is the only way issues
are built, so every message gets the same "[Ark!B8]" prefix and the same value formatting.

The codes of errors (what stops a command, `errors.ERRORS`) share this catalogue's one set of
codes; `python -m bilag4xl.issues.catalogue` writes the list of both for users (docs/codes.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bilag4xl.danish.parsers import number_text
from bilag4xl.errors import ERRORS
from bilag4xl.issues.report import SEVERITY_DA, Issue, Severity
from bilag4xl.textsafe import for_terminal

ERROR, WARNING, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO
VALUE_SHOWN_MAX = 60


@dataclass(frozen=True)
class Detail:
    severity: Severity
    da: str
    en: str


_UNREADABLE = " Filen er ikke læst."
_UNREADABLE_EN = " The file was not read."

CATALOGUE: dict[str, Detail] = {
    # --- the file cannot be read as a workbook
    "file-error": Detail(
        ERROR, "Filen kan ikke åbnes: {reason}.", "The file cannot be opened: {reason}."
    ),
    "not-a-spreadsheet": Detail(
        ERROR,
        "Filen er ikke et Excel-regneark (.xlsx). Gem skemaet fra Excel som 'Excel-projektmappe "
        "(.xlsx)' og send det igen." + _UNREADABLE,
        "The file is not an Excel workbook (.xlsx). Save the form from Excel as 'Excel Workbook "
        "(.xlsx)' and send it again." + _UNREADABLE_EN,
    ),
    "text-file": Detail(
        ERROR,
        "Filen er en tekstfil (fx CSV), der er omdøbt til .xlsx. Udfyld den udsendte skabelon i "
        "Excel og gem den som .xlsx." + _UNREADABLE,
        "The file is a text file (e.g. CSV) renamed to .xlsx. Fill in the template in Excel and "
        "save it as .xlsx." + _UNREADABLE_EN,
    ),
    "csv-file": Detail(
        ERROR,
        "Filen er en tekstfil (fx CSV), ikke et Excel-regneark. Udfyld den udsendte skabelon i "
        "Excel og gem den som .xlsx." + _UNREADABLE,
        "The file is a text file (e.g. CSV), not an Excel workbook. Fill in the template in Excel "
        "and save it as .xlsx." + _UNREADABLE_EN,
    ),
    "xls": Detail(
        ERROR,
        "Filen er i det gamle Excel 97-2003-format (.xls). Åbn den i Excel og gem den som "
        "'Excel-projektmappe (.xlsx)'." + _UNREADABLE,
        "The file is in the old Excel 97-2003 format (.xls). Open it in Excel and save it as "
        "'Excel Workbook (.xlsx)'." + _UNREADABLE_EN,
    ),
    "encrypted": Detail(
        ERROR,
        "Filen er beskyttet med en adgangskode til at åbne den. Fjern adgangskoden (Filer > Info "
        "> Beskyt projektmappe > Krypter med adgangskode: slet koden), gem og send igen."
        + _UNREADABLE,
        "The file is protected with a password to open. Remove the password (File > Info > "
        "Protect Workbook > Encrypt with Password: clear it), save and send again."
        + _UNREADABLE_EN,
    ),
    "ods": Detail(
        ERROR,
        "Filen er et OpenDocument-regneark (.ods). Gem den i LibreOffice som 'Excel 2007-365 "
        "(.xlsx)'." + _UNREADABLE,
        "The file is an OpenDocument spreadsheet (.ods). Save it in LibreOffice as 'Excel "
        "2007-365 (.xlsx)'." + _UNREADABLE_EN,
    ),
    "xlsb": Detail(
        ERROR,
        "Filen er en binær Excel-projektmappe (.xlsb). Gem den som 'Excel-projektmappe (.xlsx)'."
        + _UNREADABLE,
        "The file is an Excel binary workbook (.xlsb). Save it as 'Excel Workbook (.xlsx)'."
        + _UNREADABLE_EN,
    ),
    "corrupt": Detail(
        ERROR,
        "Filen er beskadiget eller ufuldstændig ({reason}). Gem skemaet igen fra Excel og send en "
        "ny kopi." + _UNREADABLE,
        "The file is damaged or incomplete ({reason}). Save the form again from Excel and send a "
        "new copy." + _UNREADABLE_EN,
    ),
    "zip-bomb": Detail(
        ERROR,
        "Filen ville fylde urimeligt meget, når den pakkes ud ({reason}); den er ikke åbnet af "
        "sikkerhedshensyn. Send skemaet igen som en almindelig .xlsx." + _UNREADABLE,
        "The file would expand to an unreasonable size ({reason}); it was not opened for safety. "
        "Send the form again as an ordinary .xlsx." + _UNREADABLE_EN,
    ),
    "unsafe-xml": Detail(
        ERROR,
        "Filen indeholder XML med DTD/entiteter ({part}), som regneark aldrig bruger; den er ikke "
        "åbnet af sikkerhedshensyn. Gem skemaet igen fra Excel." + _UNREADABLE,
        "The file contains XML with a DTD/entities ({part}), which spreadsheets never use; it was "
        "not opened for safety. Save the form again from Excel." + _UNREADABLE_EN,
    ),
    "xml-encoding": Detail(
        ERROR,
        "Filen indeholder XML i tegnsættet {encoding} ({part}); regneark gemmes i UTF-8. Gem "
        "skemaet igen fra Excel som 'Excel-projektmappe (.xlsx)'." + _UNREADABLE,
        "The file contains XML in the {encoding} encoding ({part}); workbooks are saved in "
        "UTF-8. Save the form again from Excel as 'Excel Workbook (.xlsx)'." + _UNREADABLE_EN,
    ),
    "cell-out-of-bounds": Detail(
        ERROR,
        "Filen har en celle langt uden for skemaet (højst {maximum}); den er ikke åbnet af "
        "sikkerhedshensyn. Slet indholdet af cellen (Ctrl+End viser den sidste celle), gem og "
        "send igen." + _UNREADABLE,
        "The file has a cell far outside the form (at most {maximum}); it was not opened for "
        "safety. Clear that cell (Ctrl+End shows the last cell), save and send again."
        + _UNREADABLE_EN,
    ),
    "too-many-cells": Detail(
        ERROR,
        "Filen har {cells} celler, og skemaet kan højst have {maximum}; den er ikke åbnet af "
        "sikkerhedshensyn. Slet det, der er tilføjet uden for skemaet, eller udfyld en ny "
        "skabelon." + _UNREADABLE,
        "The file has {cells} cells, and the form can have at most {maximum}; it was not "
        "opened for safety. Delete what was added outside the form, or fill in a new template."
        + _UNREADABLE_EN,
    ),
    "too-many-sheets": Detail(
        ERROR,
        "Filen har {sheets} ark, og skemaet kan højst have {maximum}; den er ikke åbnet af "
        "sikkerhedshensyn. Udfyld den udsendte skabelon." + _UNREADABLE,
        "The file has {sheets} sheets, and the form can have at most {maximum}; it was not "
        "opened for safety. Fill in the template that was sent out." + _UNREADABLE_EN,
    ),
    "read-crashed": Detail(
        ERROR,
        "Filen kunne ikke læses: læseren stoppede uventet ({reason}). Filen er sandsynligvis "
        "beskadiget; gem skemaet igen fra Excel og send en ny kopi." + _UNREADABLE,
        "The file could not be read: the reader stopped unexpectedly ({reason}). The file is "
        "probably damaged; save the form again from Excel and send a new copy." + _UNREADABLE_EN,
    ),
    "read-timeout": Detail(
        ERROR,
        "Filen kunne ikke læses inden for {seconds} sekunder og er opgivet. Gem skemaet igen "
        "fra Excel og send en ny kopi." + _UNREADABLE,
        "The file could not be read within {seconds} seconds and was given up. Save the form "
        "again from Excel and send a new copy." + _UNREADABLE_EN,
    ),
    "consolidated-unreadable": Detail(
        ERROR,
        "Den samlede projektmappe kan ikke læses: {reason}",
        "The consolidated workbook cannot be read (in Danish: {reason})",
    ),
    "check-failed": Detail(
        ERROR,
        "Filen kunne ikke kontrolleres ({reason}). Gem skemaet igen fra Excel og send en ny "
        "kopi; hjælper det ikke, så send filen til sekretariatet." + _UNREADABLE,
        "The file could not be checked ({reason}). Save the form again from Excel and send a "
        "new copy; if that does not help, send the file to the secretariat." + _UNREADABLE_EN,
    ),
    "not-bilag4xl": Detail(
        ERROR,
        "Regnearket er ikke lavet med bilag4xl (arket '{sheet_name}' mangler). Udfyld den udsendte "
        "skabelon i stedet for et andet regneark.",
        "The workbook was not made by bilag4xl (sheet '{sheet_name}' is missing). Fill in the "
        "template that was sent out instead of another workbook.",
    ),
    "macros": Detail(
        WARNING,
        "Filen indeholder makroer (.xlsm). Makroerne er hverken kørt eller gemt; kun værdierne er "
        "læst. Gem næste gang som almindelig .xlsx.",
        "The file contains macros (.xlsm). The macros were neither run nor kept; only the values "
        "were read. Next time save as an ordinary .xlsx.",
    ),
    "feedback-unchanged": Detail(
        ERROR,
        "Rettelsesarket er sendt tilbage uændret: det har de samme værdier som filen, det blev "
        "lavet af. Ret de markerede celler (se arket 'Rettelser'), gem filen og send den igen.",
        "The feedback workbook was sent back unchanged: it holds the same values as the file it "
        "was made from. Correct the marked cells (see the sheet 'Rettelser'), save the file and "
        "send it again.",
    ),
    # --- the template itself
    "metadata-invalid": Detail(
        ERROR,
        "Skabelonens metadata er ændret eller beskadiget ({reason}). Udfyld en ny skabelon.",
        "The template's metadata was changed or damaged ({reason}). Fill in a new template.",
    ),
    "metadata-changed": Detail(
        ERROR,
        "Skabelonens metadata er ændret: '{key}' er '{value}', skulle være '{expected}'. "
        "Udfyld en ny skabelon.",
        "The template's metadata was changed: '{key}' is '{value}', should be '{expected}'. "
        "Fill in a new template.",
    ),
    "metadata-extra": Detail(
        WARNING,
        "Det skjulte metadata-ark indeholder '{value}', som bilag4xl ikke har skrevet; det "
        "kommer ikke med. Skriv oplysningen i skemaets gule felter.",
        "The hidden metadata sheet contains '{value}', which bilag4xl did not write; it will "
        "not be included. Put the information in the form's yellow input cells.",
    ),
    "unknown-template": Detail(
        ERROR,
        "Skabelonen er lavet til formularen '{spec_name}' version {spec_version}, som ikke er den, "
        "der valideres mod ('{known}'). Brug --spec med rundens spec-fil, eller udfyld rundens "
        "skabelon.",
        "The template was made for form '{spec_name}' version {spec_version}, not the one being "
        "validated against ('{known}'). Use --spec with the round's spec file, or fill in the "
        "round's template.",
    ),
    "other-round": Detail(
        ERROR,
        "Filen er fra runden {period} ('{title}'), ikke fra denne runde ({known_period}): "
        "den er udfyldt i en anden rundes skabelon (fx sidste års). Udfyld denne rundes "
        "skabelon og send den.",
        "The file is from the round {period} ('{title}'), not from this round "
        "({known_period}): it was filled in another round's template (e.g. last year's). Fill "
        "in this round's template and send it.",
    ),
    "old-template": Detail(
        ERROR,
        "Skabelonen er lavet med en ældre udgave af bilag4xl (layout {layout}), som ikke gemte "
        "skemaet i filen, og den passer ikke med rundens skema. Udfyld rundens skabelon.",
        "The template was made by an older bilag4xl (layout {layout}), which did not store the "
        "form in the file, and it does not match the round's form. Fill in the round's template.",
    ),
    "form-changed": Detail(
        INFO,
        "Skabelonen er lavet, før rundens skema blev ændret ({what}). Værdierne er overført "
        "felt for felt til rundens skema; se evt. bemærkningerne nedenfor.",
        "The template was made before the round's form was changed ({what}). The values were "
        "carried field by field onto the round's form; see any notes below.",
    ),
    "field-gone": Detail(
        WARNING,
        "{label}: feltet findes ikke længere i rundens skema, så '{value}' kommer ikke med i "
        "indberetningen. Flyt oplysningen til et andet felt, hvis den stadig skal med.",
        "{label}: the round's form no longer has this field, so '{value}' is not part of the "
        "submission. Move it to another field if it is still needed.",
    ),
    "year-gone": Detail(
        WARNING,
        "Beløbet for {year} ({value}) ligger uden for rundens periode {period} og kommer ikke med. "
        "Skriv det under et år i perioden eller under 'Ikke fordelt på år', hvis det hører til.",
        "The amount for {year} ({value}) is outside the round's period {period} and is not "
        "included. Put it under a year of the period, or as not allocated, if it belongs there.",
    ),
    "field-new-required": Detail(
        ERROR,
        "{label}: feltet er kommet til i skemaet, efter skabelonen blev lavet, og skal udfyldes. "
        "Udfyld det i rettelsesarket (med jeres værdier overført til det nye skema) eller i "
        "rundens nye skabelon, og send filen igen.",
        "{label}: the field was added to the form after the template was made and is required. "
        "Fill it in on the feedback workbook (your values carried onto the new form) or on the "
        "round's new template, and send the file again.",
    ),
    "field-new": Detail(
        INFO,
        "{label}: feltet er kommet til i skemaet, efter skabelonen blev lavet; det er tomt her.",
        "{label}: the field was added to the form after the template was made; it is empty here.",
    ),
    "amounts-converted": Detail(
        INFO,
        "Beløbene er omregnet fra {old} (skabelonens enhed) til {new} (rundens enhed).",
        "The amounts were converted from {old} (the template's unit) to {new} (the round's).",
    ),
    "amounts-not-converted": Detail(
        WARNING,
        "Beløbene er i {old} i skabelonen, men runden regner i {new}, og de kan ikke omregnes. "
        "Kontrollér beløbene.",
        "The template's amounts are in {old}, the round's in {new}, and they cannot be "
        "converted. Check the amounts.",
    ),
    "template-mismatch": Detail(
        ERROR,
        "Skabelonens id ({found}) passer ikke med dens forvaltning og indsatser (forventet "
        "{expected}); metadata er ændret. Udfyld en ny skabelon.",
        "The template id ({found}) does not match its department and initiatives (expected "
        "{expected}); the metadata was changed. Fill in a new template.",
    ),
    "sheet-missing": Detail(
        ERROR,
        "Arket '{sheet_name}' mangler. Værdier på det er ikke læst; udfyld en ny skabelon eller "
        "genskab arket.",
        "Sheet '{sheet_name}' is missing. Its values were not read; fill in a new template or "
        "restore the sheet.",
    ),
    "sheet-renamed": Detail(
        WARNING,  # read by its position, as it says: nothing is lost, so merge is not blocked
        "Arket '{sheet_name}' er omdøbt til '{found}'. Det er læst efter sin plads; giv det sit "
        "navn tilbage.",
        "Sheet '{sheet_name}' was renamed to '{found}'. It was read by its position; give it its "
        "name back.",
    ),
    "sheet-order": Detail(
        WARNING,
        "Arkene står i en anden rækkefølge end i skabelonen. Værdierne er læst efter arkenes "
        "navne; flyt dem gerne tilbage.",
        "The sheets are in another order than in the template. The values were read by sheet "
        "name; consider moving them back.",
    ),
    "sheet-extra": Detail(
        WARNING,
        "Arket '{sheet_name}' hører ikke til skabelonen og kommer ikke med. Flyt oplysningerne "
        "ind i skemaets gule felter.",
        "Sheet '{sheet_name}' is not part of the template and will not be included. Move its "
        "information into the form's yellow input cells.",
    ),
    "label-changed": Detail(
        ERROR,
        "Den faste tekst er ændret fra '{expected}' til '{value}'. Skriv den oprindelige tekst "
        "tilbage (eller udfyld en ny skabelon).",
        "The fixed text was changed from '{expected}' to '{value}'. Put the original text back "
        "(or fill in a new template).",
    ),
    "formula-changed": Detail(
        ERROR,
        "Formlen er ændret eller slettet (forventet ={expected}, fundet {found}). Summerne "
        "beregnes alligevel af bilag4xl; genskab formlen eller udfyld en ny skabelon.",
        "The formula was changed or deleted (expected ={expected}, found {found}). bilag4xl "
        "recomputes the totals anyway; restore the formula or fill in a new template.",
    ),
    "protection-removed": Detail(
        WARNING,
        "Arkbeskyttelsen er fjernet. Værdierne er kontrolleret alligevel; slå beskyttelsen til "
        "igen (Gennemse > Beskyt ark) eller brug en ny skabelon næste gang.",
        "The sheet protection was removed. The values were checked anyway; turn protection back "
        "on (Review > Protect Sheet) or use a new template next time.",
    ),
    "value-outside-inputs": Detail(
        WARNING,
        "Cellen indeholder '{value}' uden for skemaets gule felter; den kommer ikke med. Flyt "
        "oplysningen ind i det rigtige felt.",
        "The cell contains '{value}' outside the form's yellow input cells; it will not be "
        "included. Move the information into the right field.",
    ),
    "input-formula": Detail(
        WARNING,
        "{label}: feltet indeholder en formel; dens gemte resultat '{value}' er brugt. Skriv "
        "hellere værdien direkte.",
        "{label}: the field holds a formula; its saved result '{value}' was used. Prefer typing "
        "the value itself.",
    ),
    "input-formula-uncached": Detail(
        ERROR,
        "{label}: feltet indeholder formlen {formula} uden et gemt resultat, så værdien kan "
        "ikke læses. Skriv værdien direkte i feltet.",
        "{label}: the field holds the formula {formula} without a saved result, so its value "
        "cannot be read. Type the value itself into the field.",
    ),
    "input-formula-blank": Detail(
        WARNING,
        "{label}: feltet indeholder formlen {formula}, hvis gemte resultat kun er mellemrum, så "
        "feltet er læst som tomt. Skriv værdien direkte i feltet.",
        "{label}: the field holds the formula {formula}, whose saved result is only whitespace, "
        "so the field was read as empty. Type the value itself into the field.",
    ),
    "input-error-value": Detail(
        ERROR,
        "{label}: feltet viser fejlværdien {value} i stedet for en værdi. Skriv værdien direkte "
        "i feltet.",
        "{label}: the field shows the error value {value} instead of a value. Type the value "
        "itself into the field.",
    ),
    "cell-duplicate": Detail(
        ERROR,
        "Cellen står {count} gange i filen, og det er uklart, hvilken værdi der gælder. Gem "
        "skemaet igen fra Excel, og kontrollér cellens værdi.",
        "The cell appears {count} times in the file, and it is unclear which value counts. "
        "Save the form again from Excel and check the cell's value.",
    ),
    "string-ref-invalid": Detail(
        ERROR,
        "Cellens tekst kan ikke læses, for den er ikke gemt, som Excel gemmer tekst (fundet: "
        "'{value}'). Gem skemaet igen fra Excel, og kontrollér cellens værdi.",
        "The cell's text cannot be read: it is not stored as Excel stores text (found: "
        "'{value}'). Save the form again from Excel and check the cell's value.",
    ),
    "number-precision": Detail(
        WARNING,
        "{label}: tallet {digits} har flere cifre, end et regneark kan gemme, og er læst som "
        "{value}. Kontrollér tallet.",
        "{label}: the number {digits} has more digits than a workbook can hold and was read as "
        "{value}. Check the number.",
    ),
    "cached-total-mismatch": Detail(
        INFO,
        "De gemte summer i {cells} passer ikke med indtastningerne, fx {value} i stedet for "
        "{expected}: regnearket var ikke genberegnet, da det blev gemt. bilag4xl beregner "
        "summerne selv, så intet skal rettes.",
        "The saved totals in {cells} do not match the inputs, e.g. {value} instead of "
        "{expected}: the workbook was not recalculated before it was saved. bilag4xl computes "
        "the totals itself, so nothing needs fixing.",
    ),
    "sum-ignores-text": Detail(
        INFO,
        "De gemte summer i {cells} passer ikke med indtastningerne, fx {value} i stedet for "
        "{expected}: regnearkets SUM springer beløb over, der er skrevet som tekst ({text_cells}). "
        "bilag4xl har læst dem som tal og beregnet summerne selv; skriv beløbene som tal, så "
        "regnearket viser det samme.",
        "The saved totals in {cells} do not match the inputs, e.g. {value} instead of "
        "{expected}: the spreadsheet's SUM skips amounts typed as text ({text_cells}). bilag4xl "
        "read them as numbers and computed the totals itself; type the amounts as numbers so the "
        "workbook shows the same.",
    ),
    # --- field rules
    "required": Detail(
        ERROR,
        "{label}: feltet skal udfyldes.",
        "{label}: this field is required.",
    ),
    "too-long": Detail(
        ERROR,
        "{label}: teksten har {length} tegn, højst {max_length} er tilladt. Forkort den.",
        "{label}: the text has {length} characters, at most {max_length} are allowed. Shorten it.",
    ),
    "not-a-choice": Detail(
        ERROR,
        "{label}: '{value}' er ikke et af valgene ({options}). Vælg en værdi fra listen.",
        "{label}: '{value}' is not one of the choices ({options}). Pick a value from the list.",
    ),
    "amount-text": Detail(
        WARNING,
        "{label}: beløbet er skrevet som tekst ('{value}') og er læst som {number} (i {unit}){ca}. "
        "Kontrollér tallet, og skriv det som et tal (fx 1234,5) uden tekst.",
        "{label}: the amount was typed as text ('{value}') and was read as {number} "
        "(in {unit}){ca_en}. Check the number and type it as a number (e.g. 1234.5) without text.",
    ),
    "amount-invalid": Detail(
        ERROR,
        "{label}: skriv et tal (fx 1234,5) – '{value}' kunne ikke læses som et beløb (i {unit}).",
        "{label}: type a number (e.g. 1234.5) – '{value}' could not be read as an amount (in "
        "{unit}).",
    ),
    "amount-negative": Detail(
        ERROR,
        "{label}: beløbet {value} er negativt. Skriv 0 eller et positivt beløb (i {unit}).",
        "{label}: the amount {value} is negative. Type 0 or a positive amount in {unit}.",
    ),
    "amount-too-large": Detail(
        ERROR,
        "{label}: beløbet {value} er større end {maximum} {unit}. Husk, at beløb skrives i {unit}.",
        "{label}: the amount {value} is larger than {maximum} {unit}. Amounts are in {unit}.",
    ),
    "cofinancing-exceeds-total": Detail(
        ERROR,
        "{label}: medfinansieringen {value} er større end indsatsens beløb i alt {total}. Ret "
        "medfinansieringen eller beløbene.",
        "{label}: the co-financing {value} exceeds the initiative's total {total}. Correct the "
        "co-financing or the amounts.",
    ),
    "date-invalid": Detail(
        ERROR,
        "{label}: '{value}' er ikke en dato. Skriv datoen som DD.MM.ÅÅÅÅ, fx {example}.",
        "{label}: '{value}' is not a date. Type the date as DD.MM.YYYY, e.g. {example}.",
    ),
    "email-invalid": Detail(
        ERROR,
        "{label}: '{value}' er ikke en e-mailadresse. Skriv fx {example}.",
        "{label}: '{value}' is not an e-mail address. Type e.g. {example}.",
    ),
    "phone-invalid": Detail(
        ERROR,
        "{label}: '{value}' er ikke et dansk telefonnummer. Skriv 8 cifre, fx {example}.",
        "{label}: '{value}' is not a Danish phone number. Type 8 digits, e.g. {example}.",
    ),
    "pattern-mismatch": Detail(
        ERROR,
        "{label}: '{value}' har ikke den rigtige form. Skriv værdien som {hint}.",
        "{label}: '{value}' does not have the right form. Type it as {hint}.",
    ),
    # --- merging many submissions into one workbook (bilag4xl merge)
    "merge.unreadable": Detail(
        ERROR,  # a warning with --allow-invalid
        "Filen kunne ikke læses som en indberetning og er ikke med i den samlede projektmappe.",
        "The file could not be read as a submission and is not in the consolidated workbook.",
    ),
    "merge.spec_mismatch": Detail(
        ERROR,
        "Indberetningen er lavet med en anden spec end den, der samles efter. Saml med "
        "--spec for den rigtige runde, eller bed forvaltningen udfylde rundens skabelon.",
        "The submission was made with a different spec. Merge with --spec for its round, or ask "
        "the department to fill in this round's template.",
    ),
    "merge.identical": Detail(
        INFO,
        "Filen er byte for byte magen til {kept} og springes over.",
        "The file is byte-identical to {kept} and is skipped.",
    ),
    "merge.dropped": Detail(
        WARNING,
        "Forvaltningen har også indberettet i {kept}, som er nyere; denne fil er ikke med.",
        "The department also submitted {kept}, which is newer; this file is left out.",
    ),
    "merge.duplicate": Detail(
        ERROR,
        "{department} har flere indberetninger: {files}. Fjern de forkerte filer, eller brug "
        "--on-duplicate latest for at beholde den nyeste.",
        "{department} has more than one submission: {files}. Remove the wrong files, or use "
        "--on-duplicate latest to keep the newest.",
    ),
    "merge.invalid": Detail(
        ERROR,
        "Indberetningen har fejl. Ret fejlene og saml igen, eller brug --allow-invalid for at "
        "tage den med alligevel (den markeres i den samlede projektmappe).",
        "The submission has errors. Fix them and merge again, or use --allow-invalid to include "
        "it anyway (it is flagged in the consolidated workbook).",
    ),
    "merge.invalid_included": Detail(
        WARNING,
        "Indberetningen har fejl, men er taget med (--allow-invalid) og markeret som ugyldig.",
        "The submission has errors but is included (--allow-invalid) and flagged as invalid.",
    ),
    "merge.output_skipped": Detail(
        INFO,
        "Filen er den samlede projektmappe, der skrives, og læses ikke som indberetning.",
        "The file is the consolidated workbook being written and is not read as a submission.",
    ),
    "merge.consolidated_skipped": Detail(
        INFO,
        "Filen er en samlet projektmappe (fra bilag4xl merge), ikke en indberetning; den "
        "springes over.",
        "The file is a consolidated workbook (from bilag4xl merge), not a submission; skipped.",
    ),
    "merge.empty": Detail(
        ERROR,
        "Der er ingen indberetninger at samle. Angiv filer eller mapper med udfyldte skemaer.",
        "There are no submissions to merge. Give files or folders with filled-in forms.",
    ),
    # --- a run over many files
    "not-received": Detail(
        ERROR,
        "Filen er ikke taget med i runden: {reason}",
        "The file was not taken into the round: {reason}",
    ),
    "lock-file-skipped": Detail(
        INFO,
        "Springet over: {reason}.",
        "Skipped: {reason}.",
    ),
}


def shown(value: object) -> str:
    """A cell value as it appears in a message: whole numbers without '.0', long text cut."""
    text = number_text(value) if isinstance(value, float) else str(value)
    text = " ".join(text.split())
    return text if len(text) <= VALUE_SHOWN_MAX else text[: VALUE_SHOWN_MAX - 1] + "…"


_ENDS_SENTENCE = re.compile(r"\{(\w+)\}\.")


def fill(template: str, params: dict[str, object]) -> str:
    """The template with its parameters, keeping one full stop where a parameter ending in one
    ends a sentence ("i {unit}." with unit "kr." gives "i kr.", not "i kr..")."""

    def stop(match: re.Match[str]) -> str:
        value = str(params.get(match.group(1), ""))
        return match.group(0)[:-1] if value.endswith(".") else match.group(0)

    return _ENDS_SENTENCE.sub(stop, template).format(**params)


def make(
    code: str,
    file: str = "",
    sheet: str | None = None,
    cell: str | None = None,
    field: str | None = None,
    severity: Severity | None = None,
    **params: object,
) -> Issue:
    """Build an Issue from the catalogue; "value" parameters are shortened for display.

    `severity` overrides the catalogue's where an option softens a problem (an invalid
    submission blocks a merge, but is only a warning with --allow-invalid)."""
    detail = CATALOGUE[code]
    params = {k: shown(v) if k in ("value", "expected", "found") else v for k, v in params.items()}
    prefix = f"[{sheet}!{cell}] " if sheet and cell else (f"[{sheet}] " if sheet else "")
    return Issue(  # messages quote what a file holds: never a control character in them
        code=code,
        severity=severity or detail.severity,
        message_da=for_terminal(prefix + fill(detail.da, params)),
        message_en=for_terminal(prefix + fill(detail.en, params)),
        file=file,
        sheet=sheet,
        cell=cell,
        field=field,
    )


def codes_markdown() -> str:
    """The list of every code for users: the issues a file can have, then the errors that
    stop a command (as frictionless generates its error docs from its classes)."""

    def row(code: str, severity: str, da: str, en: str) -> str:
        # shown as written: Markdown's own characters escaped, a table row on one line
        texts = [re.sub(r"([\\|*_<>\[\]`])", r"\\\1", t).replace("\n", " ") for t in (da, en)]
        return " | ".join(["", f"`{code}`", severity, *texts, ""]).strip()

    head = ["| Kode | Alvor | Dansk | English |", "|---|---|---|---|"]
    issues = [row(c, SEVERITY_DA[d.severity], d.da, d.en) for c, d in CATALOGUE.items()]
    errors = [row(c, "stop", t.da, t.en) for c, t in ERRORS.items()]
    return "\n".join(
        [
            "# Koder / Codes",
            "",
            "Skrevet af `python -m bilag4xl.issues.catalogue > docs/codes.md`; ret ikke her.",
            "Written from the catalogue: src/bilag4xl/issues/catalogue.py and",
            "src/bilag4xl/errors.py.",
            "",
            "Every message says where the problem is and what to do. `{label}`, `{value}` and",
            "the other names in braces are filled in when the message is given.",
            "",
            "## Problemer i en fil / Issues",
            "",
            "`validate`, `receive` and the page report these, by sheet and cell (JSON: `code`).",
            "`fejl` blocks the file (exit 1), `advarsel` and `note` do not. With",
            "`--allow-invalid`, `merge.unreadable` and `merge.invalid` are warnings.",
            "",
            *head,
            *issues,
            "",
            "## Fejl, der stopper en kommando / Errors",
            "",
            "A command stops with `Fejl: …` on stderr (`Error: …` after `--lang en`; with",
            '`--json` also `{"error": {"code": …, "message": …}}` on stdout).',
            "",
            *head,
            *errors,
            "",
        ]
    )


if __name__ == "__main__":
    print(codes_markdown(), end="")
