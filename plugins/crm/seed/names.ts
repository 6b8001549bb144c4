/**
 * Compact name lists for demo data: Polish, Russian, Ukrainian and English first names and
 * surnames (in the masculine form, with the rule that gives the feminine one), and Russian and
 * Ukrainian patronymics. A few hundred names per language give enough variety for a million
 * contacts without shipping a names database.
 */
export type DemoLocale = 'pl' | 'ru' | 'uk' | 'en';
export type Gender = 'm' | 'f';

const words = (s: string): string[] => s.trim().split(/\s+/u);

export const FIRST_NAMES: Record<DemoLocale, Record<Gender, string[]>> = {
  pl: {
    m: words(`Jan Piotr Krzysztof Andrzej Tomasz Paweł Michał Marcin Marek Grzegorz Józef Łukasz Adam Zbigniew Jerzy
      Tadeusz Mateusz Dariusz Mariusz Wojciech Ryszard Jakub Henryk Robert Kazimierz Jacek Maciej Kamil Janusz Mirosław
      Stanisław Sebastian Bartosz Damian Rafał Szymon Dawid Przemysław Artur Filip Wiktor Hubert Kacper Antoni Igor
      Oskar Patryk Karol Bogdan Zdzisław Leszek Sławomir Wiesław Arkadiusz Radosław Witold Konrad Borys Ignacy Franciszek`),
    f: words(`Anna Maria Katarzyna Małgorzata Agnieszka Barbara Ewa Krystyna Elżbieta Zofia Joanna Magdalena Monika Teresa
      Danuta Natalia Aleksandra Karolina Marta Beata Dorota Halina Jadwiga Jolanta Iwona Grażyna Alicja Justyna Paulina
      Renata Agata Urszula Hanna Wiktoria Julia Zuzanna Oliwia Maja Lena Gabriela Weronika Dominika Sylwia Emilia Patrycja
      Izabela Kinga Martyna Klaudia Marzena Bożena Wanda Helena Irena Łucja Żaneta Edyta Ilona Ewelina Stanisława`),
  },
  ru: {
    m: words(`Александр Алексей Андрей Антон Артём Борис Вадим Валерий Василий Виктор Виталий Владимир Владислав Вячеслав
      Геннадий Георгий Глеб Григорий Даниил Денис Дмитрий Евгений Егор Иван Игорь Илья Кирилл Константин Лев Леонид Максим
      Матвей Михаил Никита Николай Олег Павел Пётр Роман Руслан Сергей Станислав Степан Тимофей Фёдор Юрий Ярослав Анатолий
      Аркадий Эдуард`),
    f: words(`Анна Мария Елена Ольга Наталья Татьяна Ирина Светлана Екатерина Юлия Анастасия Дарья Марина Людмила Галина
      Валентина Надежда Оксана Вера Любовь Ксения Алина Виктория Евгения Полина Софья Алёна Кристина Маргарита Лариса Нина
      Зоя Тамара Жанна Вероника Диана Елизавета Александра Ульяна Василиса Варвара Яна Инна Регина Эльвира Лидия Раиса
      Милана Антонина Арина`),
  },
  uk: {
    m: words(`Олександр Андрій Сергій Володимир Дмитро Максим Іван Михайло Олег Юрій Тарас Богдан Василь Петро Микола Віктор
      Ігор Роман Степан Остап Назар Ярослав Денис Артем Віталій Павло Євген Григорій Анатолій Валентин Олексій Костянтин
      Вадим Руслан Святослав Мирослав Леонід Федір Антон Кирило`),
    f: words(`Олена Ольга Наталія Тетяна Ірина Світлана Юлія Оксана Марія Анна Катерина Галина Людмила Вікторія Христина
      Софія Дарина Анастасія Яна Леся Соломія Ганна Надія Валентина Лариса Зоряна Богдана Уляна Мирослава Поліна Інна Алла
      Віра Любов Ніна Зінаїда Ярослава Олеся Мар'яна Діана`),
  },
  en: {
    m: words(`James John Robert Michael William David Richard Joseph Thomas Charles Christopher Daniel Matthew Anthony Mark
      Donald Steven Paul Andrew Joshua Kevin Brian George Timothy Ronald Edward Jason Jeffrey Ryan Jacob Gary Nicholas Eric
      Jonathan Stephen Larry Justin Scott Brandon Benjamin Samuel Oliver Harry Jack Charlie Oscar Alfie Henry Leo Arthur`),
    f: words(`Mary Patricia Jennifer Linda Elizabeth Barbara Susan Jessica Sarah Karen Lisa Nancy Betty Margaret Sandra Ashley
      Kimberly Emily Donna Michelle Carol Amanda Melissa Deborah Stephanie Rebecca Sharon Laura Cynthia Kathleen Amy Angela
      Shirley Anna Brenda Pamela Emma Nicole Helen Samantha Olivia Amelia Isla Ava Sophie Grace Lily Chloe Charlotte Zoe`),
  },
};

/** Surnames in their masculine (dictionary) form; `surname()` derives the feminine one. */
export const SURNAMES: Record<DemoLocale, string[]> = {
  pl: words(`Nowak Kowalski Wiśniewski Wójcik Kowalczyk Kamiński Lewandowski Zieliński Szymański Woźniak Dąbrowski
    Kozłowski Jankowski Mazur Wojciechowski Kwiatkowski Krawczyk Kaczmarek Piotrowski Grabowski Zając Pawłowski Michalski
    Król Wieczorek Jabłoński Wróbel Nowakowski Majewski Olszewski Stępień Malinowski Jaworski Adamczyk Dudek Nowicki Pawlak
    Górski Witkowski Walczak Sikora Baran Rutkowski Michalak Szewczyk Ostrowski Tomaszewski Pietrzak Zalewski Wróblewski
    Marciniak Jasiński Zawadzki Bąk Jakubowski Sadowski Duda Włodarczyk Wilk Chmielewski Borkowski Sokołowski Szczepański
    Sawicki Lis Kucharski Kalinowski Wysocki Mazurek Kubiak Maciejewski Czarnecki Kołodziej Urbański Kaźmierczak Sobczak
    Konieczny Głowacki Zakrzewski Krajewski Krupa Adamski Wasilewski Sikorski Laskowski Ziółkowski Gajewski Szulc Makowski
    Baranowski Brzeziński Przybylski Domański Błaszczyk Czerwiński Kaczmarczyk Gołębiowski Żak Kowalewski Stachowiak
    Grzelak Banaś Cieślak Kowalik Nowaczyk Zawada Gutowski Siwiec`),
  ru: words(`Иванов Смирнов Кузнецов Попов Васильев Петров Соколов Михайлов Новиков Фёдоров Морозов Волков Алексеев Лебедев
    Семёнов Егоров Павлов Козлов Степанов Николаев Орлов Андреев Макаров Никитин Захаров Зайцев Соловьёв Борисов Яковлев
    Григорьев Романов Воробьёв Сергеев Кузьмин Фролов Александров Дмитриев Королёв Гусев Киселёв Ильин Максимов Поляков
    Сорокин Виноградов Ковалёв Белов Медведев Антонов Тарасов Жуков Баранов Филиппов Комаров Давыдов Беляев Герасимов
    Богданов Осипов Сидоров Матвеев Титов Марков Миронов Крылов Куликов Карпов Власов Мельников Денисов Гаврилов Тихонов
    Казаков Афанасьев Данилов Савельев Тимофеев Фомин Чернов Абрамов Мартынов Ефимов Щербаков Назаров Калинин Исаев
    Быков Маслов Родионов Коновалов Лазарев Воронин Климов Филатов Пономарёв Голубев Кудрявцев Прохоров Наумов Гончаров
    Цветков Ершов Суворов Калашников Некрасов Зуев Вишневский Успенский Покровский Троицкий Толстой Трубецкой Черных
    Седых Шевченко Кравец Лях Белый`),
  uk: words(`Шевченко Коваленко Бондаренко Ткаченко Кравченко Олійник Шевчук Коваль Бойко Мельник Поліщук Лисенко Марченко
    Руденко Савченко Петренко Клименко Павленко Гончаренко Литвиненко Кравчук Ковальчук Мороз Савчук Онищенко Федоренко
    Левченко Тимошенко Зінченко Костенко Кузьменко Яковенко Пономаренко Гаврилюк Романюк Мазур Лук'яненко Симоненко
    Захарченко Мартинюк Остапчук Дмитренко Карпенко Вакуленко Приходько Кириленко Білик Козак Ковтун Гуменюк Юрченко
    Василенко Демченко Стельмах Панченко Тарасенко Іваненко Нестеренко Головко Сидоренко Грищенко Швець Дорошенко Бабенко
    Христенко Кучер Гнатюк Москаленко Степаненко Мельничук Бондар Пилипенко Чорновол Кравець Ярошенко Вишневський
    Ковальський Заболотський Яворський Грушевський Іваницький Липинський Петрів Юрків Іванов Данилів Сорока Гордієнко`),
  en: words(`Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Wilson Anderson Thomas
    Taylor Moore Jackson Martin Lee Thompson White Harris Clark Lewis Robinson Walker Young Allen King Wright Scott Green
    Baker Adams Nelson Hill Campbell Mitchell Roberts Carter Phillips Evans Turner Parker Collins Edwards Stewart Morris
    Murphy Cook Rogers Morgan Cooper Peterson Reed Bailey Bell Kelly Howard Ward Cox Richardson Wood Watson Brooks Bennett
    Gray Hughes Price Sanders Foster Powell Jenkins Perry Russell Sullivan O'Brien Fitzgerald Davies Wilkinson`),
};

/**
 * The feminine form of a surname. Polish adjectival surnames change their ending (Kowalski →
 * Kowalska, Konieczny → Konieczna); Russian and Ukrainian possessive and adjectival ones do too
 * (Петров → Петрова, Толстой → Толстая, Вишневський → Вишневська); the rest stay as they are
 * (Nowak, Шевченко, Черных, Петрів, Smith).
 */
export function feminineSurname(locale: DemoLocale, surname: string): string {
  switch (locale) {
    case 'pl':
      if (/(?:ski|cki|dzki)$/u.test(surname)) return `${surname.slice(0, -1)}a`;
      if (/ny$/u.test(surname)) return `${surname.slice(0, -1)}a`;
      return surname;
    case 'ru':
      if (/(?:ский|цкий)$/u.test(surname)) return `${surname.slice(0, -2)}ая`;
      if (/(?:ой|ый)$/u.test(surname)) return `${surname.slice(0, -2)}ая`;
      if (/(?:ов|ев|ёв|ин|ын)$/u.test(surname)) return `${surname}а`;
      return surname;
    case 'uk':
      if (/(?:ський|цький|зький)$/u.test(surname)) return `${surname.slice(0, -2)}а`;
      if (/(?:ов|ев|єв|ин|ін|їн)$/u.test(surname)) return `${surname}а`;
      return surname;
    case 'en':
      return surname;
  }
}

/** Father's name → [patronymic of a son, of a daughter]. */
export const PATRONYMICS: Record<'ru' | 'uk', Record<string, [string, string]>> = {
  ru: {
    Александр: ['Александрович', 'Александровна'],
    Алексей: ['Алексеевич', 'Алексеевна'],
    Андрей: ['Андреевич', 'Андреевна'],
    Антон: ['Антонович', 'Антоновна'],
    Артём: ['Артёмович', 'Артёмовна'],
    Борис: ['Борисович', 'Борисовна'],
    Вадим: ['Вадимович', 'Вадимовна'],
    Валерий: ['Валерьевич', 'Валерьевна'],
    Василий: ['Васильевич', 'Васильевна'],
    Виктор: ['Викторович', 'Викторовна'],
    Виталий: ['Витальевич', 'Витальевна'],
    Владимир: ['Владимирович', 'Владимировна'],
    Владислав: ['Владиславович', 'Владиславовна'],
    Вячеслав: ['Вячеславович', 'Вячеславовна'],
    Геннадий: ['Геннадьевич', 'Геннадьевна'],
    Георгий: ['Георгиевич', 'Георгиевна'],
    Глеб: ['Глебович', 'Глебовна'],
    Григорий: ['Григорьевич', 'Григорьевна'],
    Даниил: ['Даниилович', 'Данииловна'],
    Денис: ['Денисович', 'Денисовна'],
    Дмитрий: ['Дмитриевич', 'Дмитриевна'],
    Евгений: ['Евгеньевич', 'Евгеньевна'],
    Егор: ['Егорович', 'Егоровна'],
    Иван: ['Иванович', 'Ивановна'],
    Игорь: ['Игоревич', 'Игоревна'],
    Илья: ['Ильич', 'Ильинична'],
    Кирилл: ['Кириллович', 'Кирилловна'],
    Константин: ['Константинович', 'Константиновна'],
    Лев: ['Львович', 'Львовна'],
    Леонид: ['Леонидович', 'Леонидовна'],
    Максим: ['Максимович', 'Максимовна'],
    Матвей: ['Матвеевич', 'Матвеевна'],
    Михаил: ['Михайлович', 'Михайловна'],
    Никита: ['Никитич', 'Никитична'],
    Николай: ['Николаевич', 'Николаевна'],
    Олег: ['Олегович', 'Олеговна'],
    Павел: ['Павлович', 'Павловна'],
    Пётр: ['Петрович', 'Петровна'],
    Роман: ['Романович', 'Романовна'],
    Руслан: ['Русланович', 'Руслановна'],
    Сергей: ['Сергеевич', 'Сергеевна'],
    Станислав: ['Станиславович', 'Станиславовна'],
    Степан: ['Степанович', 'Степановна'],
    Тимофей: ['Тимофеевич', 'Тимофеевна'],
    Фёдор: ['Фёдорович', 'Фёдоровна'],
    Юрий: ['Юрьевич', 'Юрьевна'],
    Ярослав: ['Ярославович', 'Ярославовна'],
    Анатолий: ['Анатольевич', 'Анатольевна'],
    Аркадий: ['Аркадьевич', 'Аркадьевна'],
    Эдуард: ['Эдуардович', 'Эдуардовна'],
  },
  uk: {
    Олександр: ['Олександрович', 'Олександрівна'],
    Андрій: ['Андрійович', 'Андріївна'],
    Сергій: ['Сергійович', 'Сергіївна'],
    Володимир: ['Володимирович', 'Володимирівна'],
    Дмитро: ['Дмитрович', 'Дмитрівна'],
    Максим: ['Максимович', 'Максимівна'],
    Іван: ['Іванович', 'Іванівна'],
    Михайло: ['Михайлович', 'Михайлівна'],
    Олег: ['Олегович', 'Олегівна'],
    Юрій: ['Юрійович', 'Юріївна'],
    Тарас: ['Тарасович', 'Тарасівна'],
    Богдан: ['Богданович', 'Богданівна'],
    Василь: ['Васильович', 'Василівна'],
    Петро: ['Петрович', 'Петрівна'],
    Микола: ['Миколайович', 'Миколаївна'],
    Віктор: ['Вікторович', 'Вікторівна'],
    Ігор: ['Ігорович', 'Ігорівна'],
    Роман: ['Романович', 'Романівна'],
    Степан: ['Степанович', 'Степанівна'],
    Остап: ['Остапович', 'Остапівна'],
    Назар: ['Назарович', 'Назарівна'],
    Ярослав: ['Ярославович', 'Ярославівна'],
    Денис: ['Денисович', 'Денисівна'],
    Артем: ['Артемович', 'Артемівна'],
    Віталій: ['Віталійович', 'Віталіївна'],
    Павло: ['Павлович', 'Павлівна'],
    Євген: ['Євгенович', 'Євгенівна'],
    Григорій: ['Григорович', 'Григорівна'],
    Анатолій: ['Анатолійович', 'Анатоліївна'],
    Валентин: ['Валентинович', 'Валентинівна'],
    Олексій: ['Олексійович', 'Олексіївна'],
    Костянтин: ['Костянтинович', 'Костянтинівна'],
    Вадим: ['Вадимович', 'Вадимівна'],
    Руслан: ['Русланович', 'Русланівна'],
    Святослав: ['Святославович', 'Святославівна'],
    Мирослав: ['Мирославович', 'Мирославівна'],
    Леонід: ['Леонідович', 'Леонідівна'],
    Федір: ['Федорович', 'Федорівна'],
    Антон: ['Антонович', 'Антонівна'],
    Кирило: ['Кирилович', 'Кирилівна'],
  },
};

/** The patronymic of a child of `father` (a name in PATRONYMICS). */
export function patronymic(locale: 'ru' | 'uk', father: string, gender: Gender): string {
  const forms = PATRONYMICS[locale][father];
  if (!forms) throw new Error(`no patronymic for ${father}`);
  return forms[gender === 'm' ? 0 : 1];
}
